import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import {
  assertSafeBind, createToken, hashToken, installAuth, isLoopback, parseTokensEnv, requiredRole, verifyTokenHash,
  REDACT_PATHS, type RejectionInfo, type TokenEntry,
} from '../../src/server/auth.js';

const viewer = createToken();
const operator = createToken();
const admin = { token: 'correct horse battery staple', hash: hashToken('correct horse battery staple', 'scrypt') };
const tokens: TokenEntry[] = [
  { name: 'dash', role: 'viewer', hash: viewer.hash },
  { name: 'ci', role: 'operator', hash: operator.hash },
  { name: 'root', role: 'admin', hash: admin.hash },
];

async function appWith(t: TokenEntry[], logs?: string[]) {
  const rejected: RejectionInfo[] = [];
  const acted: string[] = [];
  const stream = new Writable({ write(chunk, _e, cb) { logs?.push(String(chunk)); cb(); } });
  const app = Fastify({ logger: logs ? { level: 'info', redact: REDACT_PATHS, stream, serializers: { req: (r) => ({ method: r.method, url: r.url, headers: r.headers }) } } : false });
  installAuth(app, { tokens: t, onRejected: (i) => void rejected.push(i) });
  app.get('/api/deployments', async () => ({ deployments: [] }));
  app.post('/api/decisions/:id/approve', async (req) => { acted.push(`approve:${(req.params as { id: string }).id}:${req.auth?.tokenName}`); return { ok: true }; });
  app.post('/api/admin/tokens', async () => { acted.push('admin'); return { ok: true }; });
  app.get('/api/events', async () => 'stream');
  app.get('/healthz', async () => 'ok');
  await app.ready();
  return { app, rejected, acted };
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('token auth', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  it('enforces viewer < operator < admin and records every refusal, acting on nothing', async () => {
    const s = await appWith(tokens);
    app = s.app;
    const cases: Array<[string, string, Record<string, string>, number]> = [
      ['GET', '/api/deployments', {}, 401],
      ['GET', '/api/deployments', bearer('dc_wrong'), 401],
      ['GET', '/api/deployments', { authorization: 'Basic abc' }, 401],
      ['GET', '/api/deployments', bearer(viewer.token), 200],
      ['POST', '/api/decisions/d1/approve', bearer(viewer.token), 403],
      ['POST', '/api/decisions/d1/approve', {}, 401],
      ['POST', '/api/decisions/d1/approve', bearer(operator.token), 200],
      ['POST', '/api/admin/tokens', bearer(operator.token), 403],
      ['POST', '/api/admin/tokens', bearer(admin.token), 200],
      ['GET', '/healthz', {}, 200],
      ['GET', `/api/events?access_token=${viewer.token}`, {}, 200],
    ];
    for (const [method, url, headers, status] of cases) {
      const res = await s.app.inject({ method: method as 'GET', url, headers });
      expect(res.statusCode, `${method} ${url}`).toBe(status);
    }
    expect(s.acted).toEqual(['approve:d1:ci', 'admin']);
    expect(s.rejected.map((r) => [r.status, r.url, r.tokenName])).toEqual([
      [401, '/api/deployments', undefined],
      [401, '/api/deployments', undefined],
      [401, '/api/deployments', undefined],
      [403, '/api/decisions/d1/approve', 'dash'],
      [401, '/api/decisions/d1/approve', undefined],
      [403, '/api/admin/tokens', 'ci'],
    ]);
    const forbidden = await s.app.inject({ method: 'POST', url: '/api/decisions/x/approve', headers: bearer(viewer.token) });
    expect(forbidden.json()).toEqual({ error: 'token "dash" has role viewer; POST /api/decisions/x/approve needs operator' });
    expect((await s.app.inject({ url: '/api/deployments' })).headers['www-authenticate']).toBe('Bearer');
  });

  it('is open without tokens (the loopback default)', async () => {
    const s = await appWith([]);
    app = s.app;
    expect((await s.app.inject({ method: 'POST', url: '/api/decisions/d/approve' })).statusCode).toBe(200);
  });

  it('refuses a non-loopback bind without tokens, with the fix in the message', () => {
    expect(() => assertSafeBind('0.0.0.0', [])).toThrow(/refusing to listen on 0.0.0.0 without API tokens.*token create/);
    expect(() => assertSafeBind('10.1.2.3', [])).toThrow();
    expect(() => assertSafeBind('::', [])).toThrow();
    expect(() => assertSafeBind('127.0.0.1', [])).not.toThrow();
    expect(() => assertSafeBind('localhost', [])).not.toThrow();
    expect(() => assertSafeBind('::1', [])).not.toThrow();
    expect(() => assertSafeBind('0.0.0.0', tokens)).not.toThrow();
    expect(isLoopback('127.8.0.1')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
  });

  it('stores and verifies only hashes, and parses COMMANDER_TOKENS', () => {
    expect(verifyTokenHash(operator.token, operator.hash)).toBe(true);
    expect(verifyTokenHash(operator.token + 'x', operator.hash)).toBe(false);
    expect(verifyTokenHash(admin.token, admin.hash)).toBe(true);
    expect(operator.hash).not.toContain(operator.token);
    const parsed = parseTokensEnv(`ci:operator:${operator.hash}, ops:admin:${admin.hash}`);
    expect(parsed.map((t) => [t.name, t.role])).toEqual([['ci', 'operator'], ['ops', 'admin']]);
    expect(() => parseTokensEnv('ci:root:sha256:00')).toThrow(/role must be/);
    expect(() => parseTokensEnv(`ci:operator:${operator.token}`)).toThrow(/never the token itself/);
  });

  it('maps routes to roles', () => {
    expect(requiredRole('GET', '/api/deployments')).toBe('viewer');
    expect(requiredRole('POST', '/api/deployments')).toBe('operator');
    expect(requiredRole('PUT', '/api/policy/active')).toBe('admin');
    expect(requiredRole('GET', '/api/admin/tokens')).toBe('admin');
    expect(requiredRole('POST', '/api/webhooks/github')).toBeNull();
    expect(requiredRole('POST', '/api/webhooks/githubx')).toBe('operator');
  });

  it('redacts credentials from the logs', async () => {
    const logs: string[] = [];
    const s = await appWith(tokens, logs);
    app = s.app;
    await s.app.inject({ url: '/api/deployments', headers: { ...bearer(viewer.token), 'x-hub-signature-256': 'sha256=' + 'a'.repeat(64) } });
    s.app.log.info({ target: { secret: 'hunter2', url: 'http://x' }, token: operator.token }, 'config');
    const all = logs.join('');
    expect(all).toContain('/api/deployments');
    expect(all).not.toContain(viewer.token);
    expect(all).not.toContain(operator.token);
    expect(all).not.toContain('hunter2');
    expect(all).not.toContain('a'.repeat(64));
  });
});
