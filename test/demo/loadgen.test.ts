// The load generator spreads requests over the current replicas, follows them as they change,
// and a surge really multiplies the rate.
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { LoadGenerator } from '../../demo/loadgen.js';

const servers: Server[] = [];
async function counter(): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  const s = createServer((_req, res) => {
    n++;
    res.end('ok');
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  const a = s.address();
  return { url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, hits: () => n };
}
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('load generator', () => {
  it('spreads load over the current replicas, follows new ones, and surges', async () => {
    const a = await counter();
    const b = await counter();
    const c = await counter();
    let targets = [a.url, b.url];
    const gen = new LoadGenerator({ targets: () => targets, rps: 40, surgeRps: 200 });
    gen.start();
    await sleep(1500);
    const steady = gen.stats.sent;
    await sleep(200); // let in-flight requests land
    const [a1, b1] = [a.hits(), b.hits()];
    expect(a1 + b1).toBeGreaterThan(35);
    expect(Math.abs(a1 - b1)).toBeLessThanOrEqual(2);
    targets = [c.url];
    const t0 = gen.stats.sent;
    gen.setMode('surge');
    await sleep(1500);
    const surge = gen.stats.sent - t0;
    gen.stop();
    // 200 vs 40 rps over the same time: about five times as many (timers are coarse under load)
    expect(surge).toBeGreaterThan(3 * steady);
    expect(c.hits()).toBeGreaterThan(0);
    expect(a.hits() - a1).toBeLessThanOrEqual(3);
    expect(gen.stats.failed).toBe(0);
  });
});
