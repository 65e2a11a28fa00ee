// End-to-end: the compiled CLI (`demo --simulated --no-auto`) with `remediation.auto` on, a real git
// repository and the fake GitHub; a bad deploy of v2 is rolled back by the loop, its revert PR is
// opened and reviewed, and the deployment page in real Chromium shows the PR and the review
// findings. Screenshot: test-artifacts/remediation-panel-1280.png.
// Needs `npm run build` first and Chromium at /usr/bin/chromium.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGithubApi, type FakeGithubApi } from '../fakes/github-api.js';
import { makeRepo, type RepoFixture } from '../remediation/fixture.js';
import { startCommander, stop, type Commander } from './spawn-commander.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ART = join(ROOT, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const CHROME_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TOKEN = 'ghp_e2eRemediationToken_0123456789abcdef';

let commander: Commander | undefined;
let browser: Browser | undefined;
let gh: FakeGithubApi | undefined;
let repo: RepoFixture | undefined;
let tmp = '';

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js')) || !existsSync(join(ROOT, 'dashboard/dist/index.html'))) {
    throw new Error('run `npm run build` first: the e2e test drives the compiled CLI and the built dashboard');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  mkdirSync(ART, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), 'rem-e2e-'));
  repo = makeRepo();
  gh = await startFakeGithubApi(TOKEN);
  gh.addRepo('acme', 'checkout', repo.remote);
  const config = join(tmp, 'commander.yaml');
  writeFileSync(
    config,
    [
      'watch: { windowSeconds: 300, verifySeconds: 90 }',
      'demo: { speed: 30 }',
      'guardrails: { cooldownSeconds: 0, environments: { production: { autoActConfidence: 0.5 } } }',
      'remediation:',
      '  auto: true',
      `  repo: ${JSON.stringify(repo.work)}`,
      '  repository: acme/checkout',
      `  github: { apiUrl: ${JSON.stringify(gh.url)}, throttle: false }`,
      // a revert of three files is over this limit: the review has a finding to show
      '  limits: { maxFiles: 2 }',
      '',
    ].join('\n'),
  );
  commander = await startCommander(['demo', '--simulated', '--no-auto', '--port', '0', '--db', join(tmp, 'c.db'), '--config', config], { GITHUB_TOKEN: TOKEN });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stop(commander);
  await gh?.close();
  repo?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('remediation on the dashboard', () => {
  it('a rolled-back deployment shows its revert PR and the review findings', async () => {
    const base = commander!.url;
    const res = await fetch(`${base}/api/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'checkout', environment: 'production', version: 'v9.1.0-bug', previousVersion: 'v1', commit: repo!.v2 }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };

    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/#/deployments/${id}`);
    const panel = page.getByTestId('remediation');
    await panel.waitFor({ timeout: 30_000 });
    // the loop rolls back, verifies, and the PR appears without a reload
    await expect.poll(() => panel.getAttribute('data-status'), { timeout: 90_000, interval: 500 }).toBe('pr_opened');
    const link = page.getByTestId('remediation-pr');
    await link.waitFor({ timeout: 30_000 });
    expect(await link.textContent()).toBe('#1');
    expect(await link.getAttribute('href')).toBe('https://github.com/acme/checkout/pull/1');
    const findings = page.getByTestId('review-findings');
    await findings.waitFor({ timeout: 30_000 });
    expect(await findings.textContent()).toMatch(/diff-size/);
    expect(await page.getByTestId('remediation-diffstat').textContent()).toMatch(/src\/price\.js/);
    await page.getByTestId('remediation').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ART, 'remediation-panel-1280.png'), fullPage: false });
    expect(gh!.repo('acme/checkout').pulls).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);
});
