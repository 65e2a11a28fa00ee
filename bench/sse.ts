// The live event stream under load (issue 12): many concurrent SSE clients while deployments
// arrive and their watches append events, plus clients that stop reading. Against the compiled
// `devops-commander serve` in a child process (simulated world, clock ×10 so watches tick every
// 1.5 s). Prints: events appended, whether every reading client received every event (in order,
// no gap, no repeat), how long they took to catch up after the last deployment, what happened to
// the stalled clients, and the server's RSS. Needs dist/ (npm run build).
// The store starts with --history events (~2 KB each, like analyses) that the stalled clients ask
// to replay from the start: more than the kernel's socket buffers hold, so they fall behind.
// Usage: npx tsx bench/sse.ts [--clients 200] [--stalled 20] [--seconds 30] [--rate 1] [--history 4500]
import { get, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createSqliteStore } from '../src/store/sqlite.js';
import { startFuzzServer } from '../test/fuzz/requests.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CLIENTS = arg('clients', 200);
const STALLED = arg('stalled', 20);
const SECONDS = arg('seconds', 30);
const RATE = arg('rate', 1);
const HISTORY = arg('history', 4500);

const server = await startFuzzServer({
  server: 'events: {maxClients: 2000, maxClientsPerIp: 2000, stallSeconds: 5}',
  yaml: ['clock: {speed: 10}', 'watch: {windowSeconds: 300, baselineSeconds: 600, stepSeconds: 15, verifySeconds: 60}'],
  prepare: async (path) => {
    const store = createSqliteStore(path);
    for (let i = 0; i < HISTORY; i++) await store.append({ deploymentId: null, type: 'deployment.note', at: Date.now(), actor: 'system', payload: { n: i, text: 'history '.repeat(250) } });
    await store.close();
  },
});
const mb = (b: number): string => `${Math.round(b / 1048576)} MB`;
const metric = async (name: string): Promise<number> => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await (await fetch(`${server.url}/metrics`)).text())?.[1] ?? 0);
const head = async (from = 0): Promise<number> => {
  let seq = from;
  for (;;) {
    const page = (await (await fetch(`${server.url}/api/audit?afterSeq=${seq}&limit=500`)).json()) as { events: Array<{ seq: number }> };
    if (page.events.length === 0) return seq;
    seq = page.events[page.events.length - 1].seq;
  }
};

interface Client {
  last: number;
  received: number;
  gaps: number;
  repeats: number;
  res?: IncomingMessage;
}

try {
  const start = await head();
  const rssStart = server.rss().now;
  const clients: Client[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, () => {
      const c: Client = { last: start, received: 0, gaps: 0, repeats: 0 };
      clients.push(c);
      return new Promise<void>((resolve, reject) => {
        const req = get(`${server.url}/api/events`, { headers: { 'last-event-id': String(start) }, agent: false }, (res) => {
          c.res = res;
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            let end: number;
            while ((end = buf.indexOf('\n\n')) >= 0) {
              const m = /^id: (\d+)$/m.exec(buf.slice(0, end));
              buf = buf.slice(end + 2);
              if (!m) continue;
              const id = Number(m[1]);
              if (id <= c.last) c.repeats++;
              else if (id !== c.last + 1) c.gaps += id - c.last - 1;
              c.last = Math.max(c.last, id);
              c.received++;
            }
          });
          resolve();
        });
        req.on('error', reject);
      });
    }),
  );
  // clients that connect and then read nothing, replaying everything from the start
  const stalled: Socket[] = await Promise.all(
    Array.from({ length: STALLED }, () => {
      const u = new URL(server.url);
      return new Promise<Socket>((resolve) => {
        const s = connect(Number(u.port), u.hostname, () => {
          s.write('GET /api/events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 0\r\n\r\n');
          s.pause();
          resolve(s);
        });
        s.on('error', () => undefined);
      });
    }),
  );
  process.stderr.write(`${CLIENTS} reading + ${STALLED} stalled clients connected; deploying ${RATE}/s for ${SECONDS} s\n`);

  let deployed = 0;
  let peak = 0;
  const versions = ['good', 'bug', 'leak', 'slow', 'surge', 'good'];
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    const r = await fetch(`${server.url}/api/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // a new deployment of a service supersedes the watch of its previous one: many services keep them all going
      body: JSON.stringify({ service: `svc-${deployed % 100}`, version: `v3.${deployed}.0-${versions[deployed % versions.length]}` }),
    });
    if (r.status === 201) deployed++;
    peak = Math.max(peak, server.rss().peak);
    await new Promise((res) => setTimeout(res, 1000 / RATE));
    process.stderr.write(`\r${deployed} deployments, ${(await head(start)) - start} events, slowest client at ${Math.min(...clients.map((c) => c.last)) - start}   `);
  }
  const end = await head(start);
  const t1 = performance.now();
  // every reading client must reach the head without a gap
  while (clients.some((c) => c.last < end) && performance.now() - t1 < 60_000) await new Promise((r) => setTimeout(r, 100));
  const catchUp = performance.now() - t1;
  process.stderr.write('\n');
  const rss = server.rss();
  peak = Math.max(peak, rss.peak);
  const complete = clients.filter((c) => c.last >= end && c.gaps === 0 && c.repeats === 0).length;
  const dropped = await metric('commander_sse_disconnected_total\\{reason="fell_behind"\\}');
  const types = new Map<string, number>();
  for (let seq = start; seq < end; ) {
    const page = (await (await fetch(`${server.url}/api/audit?afterSeq=${seq}&limit=500`)).json()) as { events: Array<{ seq: number; type: string }> };
    for (const e of page.events) types.set(e.type, (types.get(e.type) ?? 0) + 1);
    seq = page.events.at(-1)?.seq ?? end;
  }
  console.log(`sse: ${CLIENTS} reading clients + ${STALLED} that read nothing, ${deployed} deployments over ${SECONDS} s`);
  console.log(`  events appended:                  ${end - start} (${[...types].map(([t, n]) => `${t} ${n}`).join(', ')})`);
  console.log(`  clients that received every event: ${complete} of ${CLIENTS} (gaps ${clients.reduce((n, c) => n + c.gaps, 0)}, repeats ${clients.reduce((n, c) => n + c.repeats, 0)})`);
  console.log(`  events delivered:                 ${clients.reduce((n, c) => n + c.received, 0)} (${CLIENTS} × ${end - start} expected)`);
  console.log(`  all caught up after the last deployment in ${Math.round(catchUp)} ms`);
  console.log(`  stalled clients dropped:          ${dropped} of ${STALLED} (stallSeconds 5; they resume with Last-Event-ID)`);
  console.log(`  server RSS:                       ${mb(rssStart)} before the clients, ${mb(rss.now)} at the end, peak ${mb(peak)}`);
  for (const c of clients) c.res?.destroy();
  for (const s of stalled) s.destroy();
  process.exitCode = complete === CLIENTS ? 0 : 1;
} finally {
  await server.close();
}
