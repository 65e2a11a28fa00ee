// How the deployments list behaves with 5,000 rows in real Chromium: time to first rows, DOM
// rows actually mounted (virtualisation), frame times while scrolling the whole list, and
// while 50 live events/s patch rows. Uses the stand-in API (test/dashboard/fake-api.ts) so
// the numbers measure the dashboard, not the server. Needs dashboard/dist (npm run build).
// Usage: npx tsx bench/dashboard-list.ts [rows]
import { chromium } from 'playwright-core';
import { startFakeApi } from '../test/dashboard/fake-api.js';

const rows = Number(process.argv[2] ?? 5000);
const api = await startFakeApi({ rows });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const t0 = Date.now();
  await page.goto(`${api.url}/#/deployments`);
  await page.locator('a.drow').first().waitFor();
  await page.waitForFunction(`Number((document.querySelector('[data-testid=list-count]')?.textContent ?? '').replace(/.* of ([\\d,]+).*/, '$1').replace(/,/g, '')) >= ${rows}`);
  const firstRows = Date.now() - t0;
  const mounted = await page.locator('a.drow').count();

  // Main-thread busy time (CPU, from Chromium's own counters) is what the dashboard costs;
  // wall-clock frame gaps also include whatever else the machine is doing.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const busy = async () => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
    const get = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
    return { task: get('TaskDuration') * 1000, script: get('ScriptDuration') * 1000, layout: get('LayoutDuration') * 1000 };
  };
  const scrollRun = (perFrame: string) =>
    page.evaluate(`new Promise((resolve) => {
      const gaps = []; let last = performance.now(); let i = 0;
      const max = document.documentElement.scrollHeight - innerHeight;
      function step(t) { gaps.push(t - last); last = t; i++; window.scrollTo(0, ${perFrame});
        if (i < 240) requestAnimationFrame(step); else resolve(gaps.slice(1)); }
      requestAnimationFrame(step);
    })`) as Promise<number[]>;
  const i0 = await busy();
  const idle = await scrollRun('window.scrollY'); // no movement: the machine's baseline
  const b0 = await busy();
  const wheel = await scrollRun('i * 60'); // ~3,600 px/s, like a mouse wheel held down
  const b1 = await busy();
  const scroll = await scrollRun('(max * i) / 240'); // a fling through all rows in 240 frames
  const b1b = await busy();
  const atBottom = await page.locator('a.drow').last().getAttribute('aria-rowindex');

  const b2 = await busy();
  const burst = setInterval(() => api.badDeploy(400), 20);
  const live = (await page.evaluate(`new Promise((resolve) => {
    const gaps = []; let last = performance.now(); const end = last + 3000;
    function step(t) { gaps.push(t - last); last = t; if (t < end) requestAnimationFrame(step); else resolve(gaps.slice(1)); }
    requestAnimationFrame(step);
  })`)) as number[];
  clearInterval(burst);
  const b3 = await busy();
  const per = (a: typeof b0, b: typeof b0, n: number) =>
    `main-thread per frame: ${((b.task - a.task) / n).toFixed(1)} ms (script ${((b.script - a.script) / n).toFixed(1)}, layout ${((b.layout - a.layout) / n).toFixed(1)})`;

  const stats = (g: number[]) => {
    const s = [...g].sort((a, b) => a - b);
    const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1);
    return `median ${p(0.5)} ms, p95 ${p(0.95)} ms, max ${s[s.length - 1]!.toFixed(1)} ms, frames >50 ms: ${s.filter((x) => x > 50).length}/${s.length}`;
  };
  console.log(`rows: ${rows}`);
  console.log(`first rows + full count shown: ${firstRows} ms (includes loading ${rows} rows from the API)`);
  console.log(`row elements mounted: ${mounted} (virtualised)`);
  console.log(`idle (no scrolling), 240 frames: ${stats(idle)}`);
  console.log(`  ${per(i0, b0, idle.length + 1)}`);
  console.log(`scrolling 60 px/frame for 240 frames: ${stats(wheel)}`);
  console.log(`  ${per(b0, b1, wheel.length + 1)}`);
  console.log(`fling top→bottom of all rows in 240 frames: ${stats(scroll)}; last row index at bottom: ${atBottom}`);
  console.log(`  ${per(b1, b1b, scroll.length + 1)}`);
  console.log(`frames during 50 live events/s: ${stats(live)}`);
  console.log(`  ${per(b2, b3, live.length + 1)}`);
  const { stdout } = await import('node:process');
  stdout.write(`load average during the run: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
} finally {
  await browser.close();
  await api.close();
}
