// The long fuzz run of issue 12: thousands of hostile requests (test/fuzz/requests.ts: every
// route; hostile JSON, deep nesting, huge strings, invalid UTF-8, wrong content types and
// encodings, truncated uploads, compression bombs, garbage protobuf) against the compiled
// `devops-commander serve` in a child process, several at a time. Prints: requests sent, 5xx,
// process restarts (a dead server is restarted and counted), the server's peak RSS, and rows
// stored for refused requests. Needs dist/ (npm run build).
// Usage: npx tsx bench/fuzz.ts [--requests 5000] [--concurrency 4] [--seed 42]
import fc from 'fast-check';
import { fuzzRequest, send, startFuzzServer, storedCounts, type FuzzRequest, type FuzzServer } from '../test/fuzz/requests.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const total = arg('requests', 5000);
const concurrency = arg('concurrency', 4);
const seed = arg('seed', 42);

let server: FuzzServer = await startFuzzServer();
const startRss = server.rss().now;
let peakRss = 0;
let restarts = 0;
let sent = 0;
let fiveXx = 0;
let unanswered = 0;
let otlpKeptByRefused = 0;
const statuses = new Map<number | null, number>();
const kinds = new Map<string, number>();
const acknowledged = new Set<string>();
const fiveXxSamples: string[] = [];
const t0 = performance.now();

const dead = (): boolean => server.commander.child.exitCode !== null || server.commander.child.signalCode !== null;

async function one(r: FuzzRequest): Promise<void> {
  const otlp = r.path.startsWith('/v1/');
  const before = otlp && concurrency === 1 ? (await storedCounts(server.url)).otlpReceived : undefined;
  let res: { status: number | null; body: string };
  try {
    res = await send(server.url, r);
  } catch (e) {
    res = { status: null, body: String(e) };
  }
  sent++;
  kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  if (res.status === null) unanswered++;
  if (res.status !== null && res.status >= 500) {
    fiveXx++;
    if (fiveXxSamples.length < 5) fiveXxSamples.push(`${res.status} ${r.method} ${r.path.slice(0, 80)} (${r.kind}): ${res.body.slice(0, 200)}`);
  }
  if (res.status !== null && res.status < 300 && /deploy|webhooks/.test(r.path)) {
    const id = /"(?:id|deploymentId)":"([^"]+)"/.exec(res.body)?.[1];
    if (id) acknowledged.add(id);
  }
  // with one request at a time, an OTLP request's effect on the receiver can be told apart
  if (before !== undefined && (res.status === null || res.status >= 400)) {
    otlpKeptByRefused += (await storedCounts(server.url)).otlpReceived - before;
  }
}

let stored = { deployments: [] as string[], rejectedRows: 0 };
for (let batch = 0; sent < total; batch++) {
  // generated in batches: bombs and huge strings are not all held at once
  const requests = fc.sample(fuzzRequest, { numRuns: Math.min(200, total - sent), seed: seed + batch });
  for (let i = 0; i < requests.length; i += concurrency) {
    await Promise.all(requests.slice(i, i + concurrency).map(one));
    if (dead()) {
      restarts++;
      process.stderr.write(`server died:\n${server.commander.output().slice(-2000)}\n`);
      const s = await storedCounts(server.url).catch(() => undefined);
      if (s) stored = s;
      await server.close();
      server = await startFuzzServer();
    }
  }
  peakRss = Math.max(peakRss, server.rss().peak);
  process.stderr.write(`\r${sent}/${total} requests, ${fiveXx} 5xx, ${restarts} restarts, peak RSS ${Math.round(peakRss / 1048576)} MB   `);
}
process.stderr.write('\n');
// and a flood of forged GitHub deliveries (issue 12 saw 200 of them write 200 audit rows)
const FLOOD = 1000;
await new Promise((r) => setTimeout(r, 1500));
const auditBefore = (await storedCounts(server.url)).events.get('security.rejected') ?? 0;
const forged = { method: 'POST' as const, path: '/api/webhooks/github', headers: { 'content-type': 'application/json', 'x-github-event': 'deployment', 'x-github-delivery': '00000000-forged', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, body: Buffer.from('{"deployment":{}}'), kind: 'forged' };
const tf = performance.now();
for (let i = 0; i < FLOOD; i += concurrency) await Promise.all(Array.from({ length: Math.min(concurrency, FLOOD - i) }, () => send(server.url, forged)));
const floodSecs = (performance.now() - tf) / 1000;
await new Promise((r) => setTimeout(r, 1500)); // the last rejection-summary interval
const after = await storedCounts(server.url);
const floodRows = (after.events.get('security.rejected') ?? 0) - auditBefore;
const counted = Number(/^commander_requests_rejected_total\{route="\/api\/webhooks\/github",status="401",reason="bad_signature"\} (\d+)/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1] ?? 0);
stored = after;
peakRss = Math.max(peakRss, server.rss().peak);
const secs = (performance.now() - t0) / 1000;
await server.close();

const unacknowledged = stored.deployments.filter((id) => !acknowledged.has(id)).length;
console.log(`fuzz: ${sent} requests in ${secs.toFixed(0)} s (${concurrency} at a time, seed ${seed})`);
console.log(`  5xx answers:                        ${fiveXx}${fiveXxSamples.length ? `\n    ${fiveXxSamples.join('\n    ')}` : ''}`);
console.log(`  process restarts:                   ${restarts}`);
console.log(`  peak RSS of the server:             ${Math.round(peakRss / 1048576)} MB (${Math.round(startRss / 1048576)} MB at start)`);
console.log(`  rows stored for refused requests:   ${unacknowledged + stored.rejectedRows} (deployments nobody was told were accepted: ${unacknowledged}; security.rejected rows one per request: ${stored.rejectedRows})`);
if (concurrency === 1) console.log(`  OTLP records kept by refused requests: ${otlpKeptByRefused}`);
console.log(`  audit rows of refused credentials:  ${after.events.get('security.rejected') ?? 0} aggregated event(s) for ${statuses.get(401) ?? 0} × 401 and ${statuses.get(409) ?? 0} × 409`);
console.log(`  unanswered (truncated uploads):     ${unanswered}`);
console.log(`  forged-delivery flood:              ${FLOOD} in ${floodSecs.toFixed(1)} s → ${floodRows} audit row(s), ${counted} counted in commander_requests_rejected_total`);
console.log(`  statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => Number(a[0]) - Number(b[0]))))}`);
console.log(`  bodies:   ${JSON.stringify(Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1])))}`);
process.exitCode = fiveXx + restarts + unacknowledged + stored.rejectedRows + otlpKeptByRefused > 0 ? 1 : 0;
