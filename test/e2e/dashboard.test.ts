// End-to-end: the real product (compiled CLI, `demo --simulated`) driven through the dashboard
// in real Chromium. It watches a bad deploy appear and get rolled back without a reload, opens
// it (summary, confidence, chart), approves a held decision, and saves screenshots at
// 1280×800 and 390×844 under test-artifacts/.
// Needs `npm run build` first (npm test does it) and Chromium at /usr/bin/chromium (.ci/run).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { startCommander, stop, type Commander } from './spawn-commander.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ART = join(ROOT, 'test-artifacts');

let commander: Commander | undefined;
let browser: Browser | undefined;
let base = '';
let tmp = '';

/** Starts the compiled CLI's demo (simulated world) on a free port with a fast clock. */
async function startDemo(): Promise<string> {
  tmp = mkdtempSync(join(tmpdir(), 'dash-e2e-'));
  // Fast: the clock runs ×30 with a 5-minute window; staging decisions always wait for a
  // person, so there is a pending approval to act on; production acts on its own.
  const config = join(tmp, 'commander.yaml');
  writeFileSync(
    config,
    [
      'watch: { windowSeconds: 300, verifySeconds: 90 }',
      'demo: { speed: 30, minIntervalSeconds: 60, maxIntervalSeconds: 120 }',
      'guardrails:',
      '  cooldownSeconds: 0',
      '  environments:',
      '    production: { autoActConfidence: 0.5 }',
      '    staging: { autoActConfidence: 0.99, requireApproval: true }',
      '',
    ].join('\n'),
  );
  commander = await startCommander(['demo', '--simulated', '--port', '0', '--db', join(tmp, 'c.db'), '--config', config]);
  return commander.url;
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await fetch(base + path, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } });
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${path} → ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ART, `dashboard-${name}.png`), fullPage: false });
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js')) || !existsSync(join(ROOT, 'dashboard/dist/index.html'))) {
    throw new Error('run `npm run build` first: the e2e test drives the compiled CLI and the built dashboard');
  }
  mkdirSync(ART, { recursive: true });
  // DASHBOARD_E2E_URL points the test at a commander that is already running instead.
  base = process.env.DASHBOARD_E2E_URL ?? (await startDemo());
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stop(commander);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('dashboard end to end', () => {
  it('shows a bad deploy live, its rollback, its evidence, and takes an approval', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${base}/`);
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('Live');
    // A marker that only survives if the page is never reloaded.
    await page.evaluate('window.__noReload = 42');

    // A bad deploy arrives after the page is open.
    const bad = await api<{ id: string }>('/api/deployments', {
      method: 'POST',
      body: JSON.stringify({ service: 'checkout', environment: 'production', version: 'v9.1.0-bug', previousVersion: 'v9.0.0' }),
    });
    const row = page.locator(`a.drow[data-id="${bad.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    await shot(page, 'list-bad-deploy-1280');
    // …and the same row turns "rolled back" without any reload.
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000, interval: 500 }).toBe('rolled_back');
    expect(await page.evaluate('window.__noReload')).toBe(42);
    expect(await row.getByTestId('confidence').textContent()).toMatch(/\d+%/);
    await shot(page, 'list-rolled-back-1280');

    // Open it: summary, confidence, a chart with a drawn canvas, the timeline.
    await row.click();
    await page.getByTestId('summary').waitFor({ timeout: 15_000 });
    expect((await page.getByTestId('summary').textContent())!.length).toBeGreaterThan(20);
    expect(await page.getByTestId('decision').getByTestId('confidence').first().textContent()).toMatch(/\d+%/);
    // The decision shown is the one that was acted on, not a later "continue" while verifying.
    expect(await page.getByTestId('decision').locator('.badge.act').first().textContent()).toBe('Roll back');
    await page.locator('[data-testid^="chart-"] canvas').first().waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('outcome').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('timeline').textContent()).toMatch(/Action done/);
    await shot(page, 'deployment-1280');
    await page.screenshot({ path: join(ART, 'dashboard-deployment-1280-full.png'), fullPage: true });

    // A staging deploy waits for a person: approve it on the Approvals page, with a reason.
    const held = await api<{ id: string }>('/api/deployments', {
      method: 'POST',
      body: JSON.stringify({ service: 'payments', environment: 'staging', version: 'v3.2.0-bug', previousVersion: 'v3.1.0' }),
    });
    await page.getByRole('link', { name: /Approvals/ }).click();
    const card = page.locator(`[data-testid="approval-card"][data-id="${held.id}"]`);
    await card.waitFor({ timeout: 60_000 });
    await shot(page, 'approvals-1280');
    await card.getByLabel('Reason').fill('e2e: error regression confirmed on staging');
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.getByText('Decision approved.').waitFor({ timeout: 10_000 });
    const audit = await api<{ events: Array<{ type: string; deploymentId: string; payload: { reason?: string } }> }>(
      `/api/audit?deploymentId=${held.id}&type=action.approved`,
    );
    expect(audit.events.map((e) => e.payload.reason)).toContain('e2e: error regression confirmed on staging');

    // Audit page: the hash chain verifies.
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await expect.poll(() => page.getByTestId('audit-verify').textContent(), { timeout: 45_000 }).toMatch(/Hash chain verified over \d+ events/);
    await shot(page, 'audit-1280');
    await page.getByRole('link', { name: 'Policy' }).click();
    await page.getByRole('heading', { name: 'Policy' }).waitFor();
    await shot(page, 'policy-1280');

    // Phone width: the list and the deployment stay readable.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/#/deployments`);
    await page.locator(`a.drow[data-id="${bad.id}"]`).waitFor({ timeout: 15_000 });
    await shot(page, 'list-390');
    await page.goto(`${base}/#/deployments/${bad.id}`);
    await page.getByTestId('summary').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid^="chart-"] canvas').first().waitFor({ timeout: 15_000 });
    await shot(page, 'deployment-390');
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);

    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('is keyboard reachable: tab from the top reaches the nav and a deployment row', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/#/deployments`);
    await page.locator('a.drow').first().waitFor({ timeout: 15_000 });
    const seen: string[] = [];
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      seen.push(String(await page.evaluate("(document.activeElement?.getAttribute('href') ?? document.activeElement?.tagName) + ''")));
    }
    expect(seen).toContain('#/approvals');
    expect(seen.some((h) => h.startsWith('#/deployments/'))).toBe(true);
    // Every form control on the list page has a label.
    const unlabelled = await page.evaluate(
      "[...document.querySelectorAll('input,select,textarea')].filter((el) => !el.labels?.length && !el.getAttribute('aria-label')).length",
    );
    expect(unlabelled).toBe(0);
    await page.close();
  }, 60_000);
});
