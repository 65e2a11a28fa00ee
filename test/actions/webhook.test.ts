import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookActuator, SIGNATURE_HEADER } from '../../src/actions/webhook.js';
import type { ActionRequest, Deployment } from '../../src/core/types.js';

interface Seen { headers: Record<string, string | string[] | undefined>; body: string }

/** A receiver that answers `statuses` in turn (then 200), verifying signatures like a real one would. */
async function receiver(statuses: number[], secret = 's3cret') {
  const seen: Seen[] = [];
  const done = new Set<string>();
  let actions = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ headers: req.headers, body });
      const want = Buffer.from('sha256=' + createHmac('sha256', secret).update(body).digest('hex'));
      const got = Buffer.from(String(req.headers[SIGNATURE_HEADER] ?? ''));
      if (got.length !== want.length || !timingSafeEqual(got, want)) {
        res.writeHead(401).end('bad signature');
        return;
      }
      const status = statuses.shift() ?? 200;
      if (status === 200) {
        const key = String(req.headers['idempotency-key']);
        if (!done.has(key)) actions++;
        done.add(key);
      }
      res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end(status === 200 ? '{"ok":true}' : 'try later');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, seen, actions: () => actions, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const req: ActionRequest = {
  id: 'act-42', action: 'rollback', reason: 'error rate 35x',
  deployment: { id: 'd1', service: 'checkout', environment: 'production', version: 'v2', at: 0, source: 't', receivedAt: 0, status: 'watching' } as Deployment,
};

describe('WebhookActuator', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('retries 5xx and 429 with the same idempotency key and a valid signature', async () => {
    const r = await receiver([503, 429, 500]);
    close = r.close;
    const res = await new WebhookActuator({ url: r.url, secret: 's3cret', backoffMs: 5 }).execute(req);
    expect(res.ok, res.detail).toBe(true);
    expect(res.changes).toMatchObject({ attempts: 4, status: 200 });
    expect(r.seen).toHaveLength(4);
    expect(new Set(r.seen.map((s) => s.headers['idempotency-key']))).toEqual(new Set(['act-42']));
    expect(JSON.parse(r.seen[0].body)).toMatchObject({ id: 'act-42', action: 'rollback', deployment: { service: 'checkout' } });
    expect(r.actions()).toBe(1);
  });

  it('a resumed action is sent again with the same key and body (the receiver acts once); an accepted one is not sent again', async () => {
    const r = await receiver([]);
    close = r.close;
    const journal = new Map<string, unknown>();
    const ctx = { journal: { get: async <T>(k: string) => journal.get(k) as T | undefined, set: async <T>(k: string, v: T | undefined) => void (v === undefined ? journal.delete(k) : journal.set(k, v)) } };
    // the first process sent it and was killed before it could note the answer
    await new WebhookActuator({ url: r.url, secret: 's3cret' }).execute(req);
    const next = new WebhookActuator({ url: r.url, secret: 's3cret' });
    expect(await next.check(req, ctx)).toMatchObject({ state: 'not_done', evidence: expect.stringMatching(/same Idempotency-Key act-42/) });
    expect((await next.execute(req, ctx)).ok).toBe(true);
    expect(r.seen).toHaveLength(2);
    expect(r.seen[1].headers['idempotency-key']).toBe('act-42');
    expect(r.seen[1].body).toBe(r.seen[0].body);
    expect(r.actions()).toBe(1);
    // now the answer is on record: done, and nothing is sent a third time
    expect(await next.check(req, ctx)).toMatchObject({ state: 'done', result: { ok: true } });
    expect((await next.execute(req, ctx)).detail).toMatch(/already accepted for act-42: not sent again/);
    expect(r.seen).toHaveLength(2);
  });

  it('gives up after the configured attempts and says why', async () => {
    const r = await receiver([500, 500, 500, 500]);
    close = r.close;
    const res = await new WebhookActuator({ url: r.url, secret: 's3cret', attempts: 3, backoffMs: 1 }).execute(req);
    expect(res.ok).toBe(false);
    expect(res.detail).toMatch(/failed after 3 attempt\(s\): HTTP 500/);
  });

  it('does not retry a refusal (4xx): a wrong secret is final', async () => {
    const r = await receiver([]);
    close = r.close;
    const res = await new WebhookActuator({ url: r.url, secret: 'wrong', backoffMs: 1 }).execute(req);
    expect(res.ok).toBe(false);
    expect(r.seen).toHaveLength(1);
    expect(res.detail).toMatch(/HTTP 401/);
  });

  it('retries connection failures', async () => {
    const r = await receiver([]);
    await r.close();
    const res = await new WebhookActuator({ url: r.url, attempts: 2, backoffMs: 1 }).execute(req);
    expect(res.ok).toBe(false);
    expect(res.changes).toMatchObject({ attempts: 2 });
  });
});
