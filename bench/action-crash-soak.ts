// The long version of test/e2e/action-crash.test.ts: kill -9 of a real `serve` many times while
// its watches act on command targets (with and without statusArgv), approvals and the fake
// Kubernetes API, then the counts: kills by moment, actions, command runs per action id,
// executed / reconciled / unknown / failed, Kubernetes undos per rollback. Needs `npm run build`.
//   npx tsx bench/action-crash-soak.ts [--watches N] [--kills N] [--seed N] [--speed N] [--concurrency N]
// Exits 1 if any action id ran twice, any decision has other than one result, or a rollback was
// undone more than once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILT } from '../test/e2e/spawn-commander.js';
import { runCrashSoak, summarize } from '../test/e2e/action-crash-harness.js';

const { values } = parseArgs({
  options: {
    watches: { type: 'string', default: '90' },
    kills: { type: 'string', default: '40' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    speed: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '18' },
  },
});
if (!BUILT) {
  console.error('build first: npm run build');
  process.exit(2);
}
const n = Number(values.watches);
const counts = { status: Math.round(n * 0.35), raw: Math.round(n * 0.35), approve: Math.round(n * 0.15), reject: Math.round(n * 0.05), kube: Math.max(1, Math.round(n * 0.1)) };
const dir = mkdtempSync(join(tmpdir(), 'commander-soak-'));
try {
  const report = await runCrashSoak({
    dir, seed: Number(values.seed), counts, kills: Number(values.kills), concurrency: Number(values.concurrency), speed: Number(values.speed),
    commandMs: 1500, deadlineMs: 60 * 60_000, log: (l) => console.log(l),
  });
  const { lines, counts: c } = summarize(report);
  for (const l of lines) console.log(l);
  const results = report.deployments.flatMap((d) => d.detail.events).filter((e) => ['action.executed', 'action.failed', 'action.unknown'].includes(e.type));
  const perAction = new Map<string, number>();
  for (const e of results) perAction.set(String(e.payload.actionId), (perAction.get(String(e.payload.actionId)) ?? 0) + 1);
  const bad = c.commandRunsMax > 1 || c.effectsMax > 1 || c.kubeUndosMax > 1 || [...perAction.values()].some((x) => x !== 1) || perAction.size !== c.actions || !report.auditOk;
  console.log(bad ? 'FAIL: an action ran twice or a decision has other than one result' : 'ok: every action id ran at most once, every action has exactly one result');
  process.exitCode = bad ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
