// Property-based fuzzing of every route against the real compiled server in a child process:
// random JSON shapes, deep nesting, huge strings, control characters and invalid UTF-8,
// __proto__/constructor keys, 1e309, wrong content types and encodings, truncated uploads,
// compression bombs and garbage protobuf. Whatever arrives: no 5xx, the process stays up, its
// RSS stays bounded, and nothing is stored for a refused request. Kept short here (a few hundred
// requests); `npx tsx bench/fuzz.ts` runs the long version and prints the figures.
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT } from '../e2e/spawn-commander.js';
import { fuzzRequest, send, startFuzzServer, storedCounts, type FuzzRequest, type FuzzServer } from './requests.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const SEED = Number(process.env.FUZZ_SEED ?? 20260302);
/** growth of the child's peak resident set over its start that counts as "ballooning" */
const MAX_RSS_GROWTH = 250 * 1024 * 1024;

let server: FuzzServer;
let startRss = 0;

beforeAll(async () => {
  if (!BUILT) return;
  server = await startFuzzServer();
  startRss = server.rss().now;
});
afterAll(async () => {
  await server?.close();
});

const alive = (): void => {
  const c = server.commander.child;
  if (c.exitCode !== null || c.signalCode !== null) throw new Error(`the server exited (${c.exitCode ?? c.signalCode}):\n${server.commander.output().slice(-3000)}`);
};

describe.skipIf(!BUILT)('fuzzing every route (child process)', () => {
  it('survives the six reported attacks', async () => {
    // 1. a 9 KB gzip bomb on the OTLP receiver
    const bomb = await send(server.url, { method: 'POST', path: '/v1/logs', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(9 << 20, 0x20)), kind: 'bomb' });
    expect(bomb.status).toBe(413);
    // 2. a 1 KB OTLP body whose rendering used to double per level
    let v = '{"stringValue":"\\"x\\""}';
    for (let i = 0; i < 30; i++) v = `{"arrayValue":{"values":[${v}]}}`;
    const nested = await send(server.url, { method: 'POST', path: '/v1/logs', headers: { 'content-type': 'application/json' }, body: Buffer.from(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${v}}]}]}]}`), kind: 'nested' });
    expect(nested.status).toBe(400);
    // 3. HEAD on the live stream answers
    expect((await send(server.url, { method: 'HEAD', path: '/api/events', headers: {}, kind: 'head' }, 5000)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    alive();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(server.rss().peak - startRss).toBeLessThan(MAX_RSS_GROWTH);
  });

  it('answers every random request without a 5xx, stays up and bounded, stores nothing it refused', async () => {
    const before = await storedCounts(server.url);
    const acknowledged = new Set<string>(before.deployments);
    const statuses = new Map<number | null, number>();
    let otlpBefore = before.otlpReceived;
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (r: FuzzRequest) => {
        const res = await send(server.url, r);
        alive();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status !== null && res.status >= 500) throw new Error(`${res.status} for ${r.method} ${r.path} (${r.kind}): ${res.body.slice(0, 300)}`);
        if (res.status !== null && res.status < 300) {
          const id = /"(?:id|deploymentId)":"([^"]+)"/.exec(res.body)?.[1];
          if (id && /deploy|webhooks/.test(r.path)) acknowledged.add(id);
        }
        if (r.path.startsWith('/v1/')) {
          const otlp = (await storedCounts(server.url)).otlpReceived;
          // a refused or unanswered OTLP request kept nothing
          if (res.status === null || res.status >= 400) expect(otlp, `${r.kind} ${res.status}`).toBe(otlpBefore);
          otlpBefore = otlp;
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    await new Promise((r) => setTimeout(r, 1500)); // one rejection-summary interval
    alive();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const after = await storedCounts(server.url);
    // every stored deployment was acknowledged with a 2xx; refused ones left no row
    expect(after.deployments.filter((id) => !acknowledged.has(id))).toEqual([]);
    // refused credentials are summed per interval, never a row each (no tokens here: no 403s)
    expect(after.rejectedRows).toBe(0);
    const rss = server.rss();
    process.stdout.write(
      `fuzz: ${RUNS} random requests + 3 attacks, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `peak RSS ${Math.round(rss.peak / 1048576)} MB (start ${Math.round(startRss / 1048576)} MB), ` +
        `deployments stored ${after.deployments.length} = acknowledged, security.rejected rows ${after.events.get('security.rejected') ?? 0} (aggregated)\n`,
    );
    expect(rss.peak - startRss).toBeLessThan(MAX_RSS_GROWTH);
  });
});
