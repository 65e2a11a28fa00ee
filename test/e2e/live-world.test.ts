// Live end-to-end: the commander with the live world of real demo-service processes, real load,
// scrape + OTLP signals. A leaking version is deployed for real and must be rolled back (the
// service then answers with the previous version and its memory stops growing); the same for an
// erroring version; a traffic surge must end in a scale-up, not a rollback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { startApp, type RunningApp } from '../../src/app.js';
import { liveWorldFactory, type LiveWorld } from '../../src/world/live.js';
import type { DeploymentStatus } from '../../src/core/types.js';

const dir = mkdtempSync(join(tmpdir(), 'live-e2e-'));
let app: RunningApp;
let world: LiveWorld;
const log: string[] = [];

async function statusOf(id: string, want: DeploymentStatus[], ms: number): Promise<DeploymentStatus> {
  const end = Date.now() + ms;
  let s: DeploymentStatus | undefined;
  while (Date.now() < end) {
    s = (await app.store.getDeployment(id))?.status;
    if (s && want.includes(s)) return s;
    await new Promise((r) => setTimeout(r, 500));
  }
  return s ?? 'watching';
}
const version = async (url: string): Promise<string> => ((await (await fetch(url)).json()) as { version: string }).version;
async function rssOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_resident_memory_bytes (\S+)/m.exec(text)![1]);
}
async function idOf(v: string): Promise<string> {
  const [d] = await app.store.listDeployments({ service: 'checkout', limit: 1 });
  expect(d.version).toBe(v);
  return d.id;
}

beforeAll(async () => {
  const config = configSchema.parse({
    server: { host: '127.0.0.1', port: 0 },
    store: { kind: 'sqlite', path: join(dir, 'c.db') },
    watch: { windowSeconds: 90, baselineSeconds: 30, stepSeconds: 2, verifySeconds: 10 },
    demo: { speed: 1 },
    guardrails: { cooldownSeconds: 0, environments: { demo: { autoActConfidence: 0.5 } } },
  });
  app = await startApp({
    config,
    mode: 'demo',
    log: (l) => log.push(l),
    world: async (ctx) => {
      world = (await liveWorldFactory({ autoDeploy: false, minIntervalSeconds: 1, maxIntervalSeconds: 1, scrapeIntervalMs: 1000, stateDir: join(dir, 'pids'), memoryLimitBytes: 300 * 1024 * 1024 })(ctx)) as LiveWorld;
      return world;
    },
  });
  // a baseline of good traffic before the first deploy
  await new Promise((r) => setTimeout(r, 12_000));
}, 120_000);
afterAll(async () => {
  if (process.env.DEBUG) {
    for (const d of await app.store.listDeployments({ service: 'checkout', limit: 5 })) {
      if (process.env.DEBUG_SERIES) {
        const b = await world.scrape.collect({ deployment: { service: 'checkout', environment: 'demo', version: d.version, ...(d.previousVersion ? { previousVersion: d.previousVersion } : {}), at: d.at }, from: d.at - 30_000, to: Date.now(), stepSeconds: 2 });
        writeFileSync(join(process.env.DEBUG_SERIES, `${d.version}.json`), JSON.stringify({ at: d.at, metrics: b.metrics, baselineMetrics: b.baselineMetrics, limits: b.limits }));
      }
      for (const e of await app.store.events(d.id)) {
        if (e.type === 'decision.made' || e.type === 'action.executed' || e.type === 'outcome.verified') console.log(d.version, e.type, JSON.stringify(e.payload).slice(0, 1500));
      }
    }
  }
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
  if (process.env.DEBUG) console.log(log.join('\n'));
});

describe('live world', () => {
  it('rolls back a leaking deploy: previous version answers, memory stops growing', async () => {
    const spec = await world.deployNext('leak');
    const id = await idOf(spec.version);
    expect(await statusOf(id, ['rolled_back', 'healthy', 'escalated', 'scaled_up', 'action_failed', 'not_recovered'], 150_000)).toBe('rolled_back');
    const reps = world.actuator.endpoints('checkout');
    expect(reps.every((r) => r.version === spec.previousVersion)).toBe(true);
    expect(await version(reps[0].url)).toBe(spec.previousVersion);
    const m1 = await rssOf(reps[0].url);
    await new Promise((r) => setTimeout(r, 5000));
    const m2 = await rssOf(reps[0].url);
    expect(m2 - m1).toBeLessThan(15 * 1024 * 1024);
  }, 200_000);

  it('rolls back an erroring deploy', async () => {
    const spec = await world.deployNext('throw');
    const id = await idOf(spec.version);
    expect(await statusOf(id, ['rolled_back', 'healthy', 'escalated', 'scaled_up', 'action_failed', 'not_recovered'], 120_000)).toBe('rolled_back');
    const reps = world.actuator.endpoints('checkout');
    expect(await version(reps[0].url)).toBe(spec.previousVersion);
  }, 150_000);

  it("deploys the concept curl's version for real; an unknown version is only recorded", async () => {
    const post = (body: unknown) =>
      fetch(`${app.url}/api/v1/executions/webhook/devops/deploy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const running = world.actuator.currentVersion('checkout');
    const notes = async (id: string) => (await app.store.events(id)).filter((e) => e.type === 'deployment.note').map((e) => e.payload);
    const until = async <T>(f: () => Promise<T | undefined>, ms: number): Promise<T | undefined> => {
      const end = Date.now() + ms;
      for (;;) {
        const v = await f();
        if (v !== undefined || Date.now() > end) return v;
        await new Promise((r) => setTimeout(r, 300));
      }
    };

    // unknown: recorded and watched, nothing started, and the timeline says why
    const unknown = (await (await post({ service: 'checkout', version: 'v9.9.9' })).json()) as { id: string; deployment: { environment: string } };
    expect(unknown.deployment.environment).toBe('demo');
    const n1 = await until(async () => (await notes(unknown.id))[0], 10_000);
    expect(n1).toMatchObject({ deployed: false, running });
    expect(String(n1!.message)).toMatch(/cannot run checkout v9\.9\.9/);
    expect(world.actuator.currentVersion('checkout')).toBe(running);

    // known (a version whose suffix names its behaviour): its processes really run, then the
    // commander rolls the erroring version back
    const res = await post({ service: 'checkout', version: 'v2.0.0-throw' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const n2 = await until(async () => (await notes(id))[0], 60_000);
    expect(n2).toMatchObject({ deployed: true, behaviour: 'throw' });
    expect(await statusOf(id, ['rolled_back', 'healthy', 'escalated', 'scaled_up', 'action_failed', 'not_recovered'], 120_000)).toBe('rolled_back');
    const reps = world.actuator.endpoints('checkout');
    expect(reps.every((r) => r.version === running)).toBe(true);
    expect(await version(reps[0].url)).toBe(running);
  }, 200_000);

  // The surge is real (about 18× the traffic, requests queue for the service's slots), and so is
  // the memory that comes with it: the analysis must read that growth as load, not a leak.
  it('answers a traffic surge with a scale-up, not a rollback', async () => {
    const before = world.actuator.endpoints('checkout').length;
    const spec = await world.deployNext('surge');
    const id = await idOf(spec.version);
    expect(await statusOf(id, ['rolled_back', 'healthy', 'escalated', 'scaled_up', 'action_failed', 'not_recovered'], 150_000)).toBe('scaled_up');
    expect(world.actuator.endpoints('checkout').length).toBeGreaterThan(before);
    expect(world.actuator.currentVersion('checkout')).toBe(spec.version);
  }, 200_000);
});
