// Real git for the remediation tests: a bare "remote" and a clone, v1 tagged, v2 made of a
// --no-ff merge plus a direct commit, pushed by file path; and a store holding a deployment of
// v2 that the commander rolled back (its timeline as the watch writes it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import type { RemediationConfig } from '../../src/config/remediation.js';
import type { Store } from '../../src/core/store.js';
import type { Deployment } from '../../src/core/types.js';
import { createSqliteStore } from '../../src/store/sqlite.js';

export const AUTHOR_ENV = { GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...AUTHOR_ENV, GIT_CONFIG_GLOBAL: '/dev/null' }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function write(dir: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

export interface RepoFixture {
  root: string;
  remote: string;
  work: string;
  v1: string;
  v2: string;
  merge: string;
  direct: string;
  cleanup(): void;
}

export const V1_FILES: Record<string, string> = {
  'README.md': '# checkout\n',
  'src/price.js': 'export function total(items) {\n  let sum = 0;\n  for (const i of items) sum += i.price * i.qty;\n  return sum;\n}\n',
  'src/format.js': 'export function money(n) {\n  return n.toFixed(2);\n}\n',
  'test/price.test.mjs': "import assert from 'node:assert';\nimport { total } from '../src/price.js';\nassert.strictEqual(total([{ price: 2, qty: 3 }]), 6);\nassert.strictEqual(total([]), 0);\n",
  'run-tests.mjs': "import { readdirSync } from 'node:fs';\nfor (const f of readdirSync('test').filter((x) => x.endsWith('.test.mjs'))) await import('./test/' + f);\nconsole.log('tests passed');\n",
  '.github/workflows/ci.yml': 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: node run-tests.mjs\n',
  'package.json': '{"name": "checkout", "type": "module"}\n',
};

/** v1; a feature branch merged --no-ff (the bug: a discount applied twice); a direct commit; v2. */
export function makeRepo(): RepoFixture {
  const root = mkdtempSync(join(tmpdir(), 'remediation-'));
  const remote = join(root, 'remote.git');
  const work = join(root, 'work');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  git(root, 'clone', '--quiet', remote, work);
  git(work, 'checkout', '--quiet', '-B', 'main');
  write(work, V1_FILES);
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'checkout v1');
  git(work, 'tag', 'v1');
  const v1 = git(work, 'rev-parse', 'HEAD');
  git(work, 'checkout', '--quiet', '-b', 'feature/discount');
  write(work, { 'src/price.js': 'export function total(items, discount = 0.1) {\n  let sum = 0;\n  for (const i of items) sum += i.price * i.qty * (1 - discount);\n  return sum * (1 - discount);\n}\n' });
  git(work, 'commit', '--quiet', '-am', 'price: discounts');
  write(work, { 'src/discount.js': 'export const DEFAULT_DISCOUNT = 0.1;\n' });
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'discount: default rate');
  git(work, 'checkout', '--quiet', 'main');
  git(work, 'merge', '--quiet', '--no-ff', '-m', "Merge branch 'feature/discount'", 'feature/discount');
  const merge = git(work, 'rev-parse', 'HEAD');
  write(work, { 'src/format.js': 'export function money(n) {\n  return n.toFixed(1);\n}\n' });
  git(work, 'commit', '--quiet', '-am', 'format: one decimal');
  const direct = git(work, 'rev-parse', 'HEAD');
  git(work, 'tag', 'v2');
  const v2 = direct;
  // pushed by file path, as a person would to a remote on disk
  git(work, 'push', '--quiet', remote, 'main', '--tags');
  git(work, 'fetch', '--quiet', 'origin');
  return { root, remote, work, v1, v2, merge, direct, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

type SeedSpec = { commit: string; version?: string; previousVersion?: string; previousCommit?: string; verified?: boolean };

/** The store of a commander that watched `version` (commit) and rolled it back, verified. */
export async function rolledBackDeployment(dbPath: string, spec: SeedSpec): Promise<{ store: Store; deployment: Deployment }> {
  const store = createSqliteStore(dbPath);
  return { store, deployment: await seedRolledBack(store, spec) };
}

/** A deployment and its timeline up to an executed rollback (and its verified outcome unless verified: false). */
export async function seedRolledBack(store: Store, spec: SeedSpec): Promise<Deployment> {
  const at = Date.parse('2026-03-02T12:00:00Z');
  const { deployment } = await store.createDeployment(
    { service: 'checkout', environment: 'production', version: spec.version ?? 'v2', previousVersion: spec.previousVersion ?? 'v1', commit: spec.commit, at, ...(spec.previousCommit ? { previousCommit: spec.previousCommit } : {}) },
    { id: `dep${Math.random().toString(36).slice(2, 10)}`, source: 'api', receivedAt: at, idempotencyKey: `k${Math.random()}` },
  );
  const id = deployment.id;
  const ev = async (type: Parameters<Store['append']>[0]['type'], offset: number, payload: Record<string, unknown>, actor = 'system') =>
    store.append({ deploymentId: id, type, at: at + offset, actor, payload, dedupeKey: `${id}:${type}` });
  const finding = { id: 'metric_shift:error_rate', kind: 'metric_shift', subject: 'error_rate', severity: 0.95, direction: 'up', comparison: 'before_after', stats: { before: 0.002, after: 0.071, p_value: 0.0001 }, text: 'Error rate 7.1% vs 0.2% before v2' };
  const log = { id: 'log_new:t1', kind: 'log_new', subject: 't1', severity: 0.8, direction: 'up', comparison: 'before_after', stats: { count: 412 }, text: 'new error ×412: TypeError: total is not a number', evidence: { template: 'TypeError: total is not a number at <*>', samples: ['TypeError: total is not a number at cart.js:42'] } };
  await ev('deployment.received', 0, { deployment: { ...deployment }, source: 'api', idempotencyKey: 'k' });
  await ev('analysis.completed', 60_000, { tick: 4, analysis: { at: at + 60_000, deployAt: at, findings: [finding, log], coverage: { error_rate: 1 }, canary: false }, findingIds: 'x' });
  await ev('summary.written', 60_000, { tick: 4, summary: { headline: 'Error rate 7.1% vs 0.2% before v2', lines: [], text: 'Error rate 7.1% vs 0.2% before v2; new error ×412: TypeError: total is not a number', author: 'deterministic' } });
  const decisionId = `${id}-d4`;
  await ev('decision.made', 60_000, { decisionId, tick: 4, decision: { action: 'rollback', confidence: 0.93, reasons: ['error_rate up 35x after deploy (p<0.001)'], policyVersion: 'bandit-1' }, guard: { mode: 'execute', reason: 'confident' }, features: {}, headline: 'x' }, 'policy:bandit-1');
  await ev('action.requested', 61_000, { actionId: `${id}-a1`, decisionId, action: 'rollback', actuator: 'kubernetes', reason: 'error rate', automatic: true, dryRun: false });
  await ev('action.executed', 70_000, { actionId: `${id}-a1`, decisionId, action: 'rollback', detail: 'rolled back to v1', changes: {} });
  if (spec.verified !== false) {
    await ev('outcome.verified', 250_000, { actionId: `${id}-a1`, outcome: { recovered: true, action: 'rollback', detail: 'error rate back to 0.2%' } });
    await ev('watch.completed', 250_000, { status: 'rolled_back', reason: 'recovered' });
    await store.setStatus(id, 'rolled_back');
  }
  return (await store.getDeployment(id))!;
}

export function remediationConfig(over: Record<string, unknown> = {}): RemediationConfig {
  return configSchema.parse({ remediation: { repository: 'acme/checkout', github: { throttle: false }, ...over } }).remediation;
}
