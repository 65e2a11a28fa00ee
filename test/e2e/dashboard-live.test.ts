// End-to-end, the way a new user meets the product: `devops-commander demo` (the LIVE world: real
// demo-service processes, real load, scrape + OTLP), the concept's curl deploying a throwing
// version, the rollback, then the deployment page in real Chromium. The page must tell the
// decision's story: the findings the decision rested on (not the quiet tick after the rollback),
// every chart shading the baseline it was judged against before the deploy line and marking
// deploy, onset and action, legends without placeholders, no internal stat names in view.
// Saves test-artifacts/dashboard-live-rollback-1280.png (full page) for review.
// Needs `npm run build` first (npm test does it) and Chromium at /usr/bin/chromium.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentDetailResponse } from '../../src/core/api.js';
import type { Analysis, Finding } from '../../src/core/types.js';
import { launchChromium } from './chromium.js';
import { deployOnConceptPath, startCommander, stop, until, type Commander } from './spawn-commander.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ART = join(ROOT, 'test-artifacts');
// runs in the page (the test's own tsconfig has no DOM types)
declare const getComputedStyle: (el: unknown) => { backgroundColor: string };
const DONE = new Set(['rolled_back', 'not_recovered', 'healthy', 'escalated', 'scaled_up', 'action_failed', 'cancelled']);

let commander: Commander | undefined;
let browser: Browser | undefined;
let tmp = '';

async function detailOf(id: string): Promise<DeploymentDetailResponse> {
  const r = await fetch(`${commander!.url}/api/deployments/${id}?series=0`);
  if (!r.ok) throw new Error(`GET deployment → ${r.status}`);
  return (await r.json()) as DeploymentDetailResponse;
}

/** The analysis on the timeline the acted-on decision was made with (the last one at or before it). */
function analysisAtDecision(d: DeploymentDetailResponse): Analysis {
  const acted = d.decisions.find((x) => x.id === d.actions[0]?.decisionId);
  expect(acted, 'an acted-on decision').toBeDefined();
  const analyses = d.events.filter((e) => e.type === 'analysis.completed' && e.at <= acted!.at);
  expect(analyses.length).toBeGreaterThan(0);
  return analyses[analyses.length - 1]!.payload.analysis as Analysis;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js')) || !existsSync(join(ROOT, 'dashboard/dist/index.html'))) {
    throw new Error('run `npm run build` first: the e2e test drives the compiled CLI and the built dashboard');
  }
  mkdirSync(ART, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'dash-live-e2e-'));
  // What `npm start` runs (live world, its own demo pacing and baseline period), without the
  // world's own deploys so the only deployment is ours. The URL is printed once the baseline
  // period is over: 30 s of the services under load, then the processes' start on a loaded machine.
  commander = await startCommander(['demo', '--port', '0', '--db', join(tmp, 'c.db'), '--no-auto'], {}, 180_000);
  expect(commander.output()).toMatch(/baseline ready/);
  browser = await launchChromium();
}, 200_000);

afterAll(async () => {
  await browser?.close();
  await stop(commander);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('deployment page on the live demo', () => {
  it('shows the evidence behind a live rollback against its baseline, in words', async () => {
    const base = commander!.url;
    const id = await deployOnConceptPath(base, { service: 'checkout', version: 'v2.1.0-throw' });
    const done = await until(async () => {
      const d = await detailOf(id);
      return DONE.has(d.deployment.status) ? d : undefined;
    }, 240_000, 'the throwing version to be rolled back and verified');
    expect(done.deployment.status).toBe('rolled_back');

    // The error the decision cited, from the analysis recorded at the decision's tick.
    const acted = done.decisions.find((x) => x.id === done.actions[0]!.decisionId)!;
    expect(acted.reasons.join(' ')).toMatch(/error/);
    const evidence = analysisAtDecision(done);
    const errorFinding = evidence.findings.find(
      (f: Finding) => (f.kind === 'log_new' || f.kind === 'log_spike') && f.evidence?.level === 'error',
    );
    expect(errorFinding, `an error log finding at the decision: ${evidence.findings.map((f) => f.id).join(', ')}`).toBeDefined();

    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/#/deployments/${id}`);
    await page.getByTestId('summary').waitFor({ timeout: 30_000 });

    // (a) The findings behind the decision, with the cited error, and the latest apart from them.
    const item = page.getByTestId('evidence-findings').locator(`[data-finding-id="${errorFinding!.id}"]`);
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('.template').textContent()).toBe(errorFinding!.evidence!.template);
    expect(await item.textContent()).toMatch(/New error log line/);
    expect(await item.textContent()).toMatch(/p = \d(\.\d+)?e-\d+, \d+\/min after vs 0 before/);
    expect(await page.getByTestId('evidence').textContent()).toMatch(/when it decided\s*Roll back/);
    await expect.poll(() => page.getByTestId('latest').or(page.getByTestId('latest-same')).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('main').innerText()).not.toMatch(/No findings yet/);

    // (c) Every chart: the baseline window shaded before the deploy line, deploy/onset/action marked.
    const charts = page.locator('[data-testid^="chart-"]');
    await page.locator('[data-testid^="chart-"] canvas').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => charts.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    for (const chart of await charts.all()) {
      const name = await chart.getAttribute('data-testid');
      const region = chart.locator('.ov-baseline');
      const deploy = chart.locator('.ov-marker.ov-deploy');
      await region.waitFor({ timeout: 15_000 });
      const r = (await region.boundingBox())!;
      const x = (await deploy.boundingBox())!.x;
      expect(r.width, `${name}: shaded baseline`).toBeGreaterThan(20);
      expect(r.x, `${name}: baseline starts before the deploy`).toBeLessThan(x);
      expect(r.x + r.width, `${name}: baseline ends at the deploy line`).toBeLessThanOrEqual(x + 2);
      // the world ran its services before the first deploy: at least 20 s of "before"
      expect(Number(await region.getAttribute('data-to')) - Number(await region.getAttribute('data-from'))).toBeGreaterThanOrEqual(20_000);
      expect(await region.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toMatch(/rgba\(0, 0, 0, 0\)|transparent/);
      expect(await chart.locator('.ov-marker.ov-onset').count(), `${name}: onset`).toBe(1);
      expect(await chart.locator('.ov-marker.ov-action').count(), `${name}: action`).toBeGreaterThanOrEqual(1);
    }

    // (d) Legends: nothing while idle, the series and its value under the cursor.
    const readout = page.getByTestId('readout-error_rate');
    expect((await readout.textContent())!.trim()).toBe('');
    const box = (await page.getByTestId('chart-error_rate').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    await expect.poll(() => readout.textContent(), { timeout: 5_000 }).toMatch(/observed\s*(\d+(\.\d+)?%|no sample) at \d\d:\d\d:\d\dZ/);
    await page.mouse.move(2, 2);
    await expect.poll(async () => (await readout.textContent())!.trim(), { timeout: 5_000 }).toBe('');

    // (e) No internal names in view; the raw statistics are one click away.
    const visible = await page.locator('main').innerText();
    expect(visible).not.toMatch(/\bkind_[a-z]+|level_weight|per_min_|count_after|Time:\s*—/);
    expect(visible).not.toMatch(/\b(error_rate|latency_p95_ms|cpu_utilization|memory_bytes|request_rate)\b/);
    await page.screenshot({ path: join(ART, 'dashboard-live-rollback-1280.png'), fullPage: true });
    await item.locator('details.raw > summary').click();
    await expect.poll(() => item.locator('details.raw').innerText()).toMatch(/kind_code\s*1/);

    expect(errors).toEqual([]);
    await page.close();
  }, 420_000);
});
