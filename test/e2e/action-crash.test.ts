// An action on a real system runs once, even across kill -9: a real `serve` process is killed
// at bad moments (while a command runs, right after an approval, while a Kubernetes rollout
// settles, at random) and restarted on the same SQLite file while 30+ watches act on command
// targets and on the fake Kubernetes API. bench/action-crash-soak.ts is the long version.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT } from './spawn-commander.js';
import { runCrashSoak, summarize, type SoakReport } from './action-crash-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'commander-action-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!BUILT)('actions across kill -9 of serve', () => {
  it('no action id runs twice; each decision acted on has one executed or one unknown; one undo per rollback', async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    const report: SoakReport = await runCrashSoak({
      dir,
      seed,
      counts: { status: 13, raw: 13, approve: 5, reject: 2, kube: 3 },
      kills: 14,
      concurrency: 18,
      speed: 15,
      commandMs: 1500,
      deadlineMs: 300_000,
      log: (l) => process.stdout.write(`  ${l}\n`),
    });
    const { lines, counts } = summarize(report);
    for (const l of lines) process.stdout.write(`  ${l}\n`);

    // the run hit the windows it is about
    expect(counts.kills).toBe(14);
    expect(counts.killsInCommand).toBeGreaterThanOrEqual(3);
    expect(counts.killsAfterVerdict).toBeGreaterThanOrEqual(1);
    expect(counts.actions).toBeGreaterThanOrEqual(30);

    // each action id's command started at most once, and its effect happened at most once
    expect(counts.commandRunsMax).toBeLessThanOrEqual(1);
    expect(counts.effectsMax).toBeLessThanOrEqual(1);

    for (const d of report.deployments) {
      const ev = d.detail.events;
      expect(ev.some((e) => e.type === 'watch.completed'), `${d.service} ${d.id} completed`).toBe(true);
      for (const dec of ev.filter((e) => e.type === 'decision.made')) {
        const decisionId = String(dec.payload.decisionId);
        const requested = ev.filter((e) => e.type === 'action.requested' && e.payload.decisionId === decisionId && e.payload.dryRun !== true);
        const results = ev.filter((e) => ['action.executed', 'action.failed', 'action.unknown'].includes(e.type) && e.payload.decisionId === decisionId);
        expect(requested.length, `${decisionId}: action.requested`).toBeLessThanOrEqual(1);
        if (requested.length === 0) continue;
        // exactly one result, and for command targets it is executed or unknown
        expect(results.map((e) => e.type), `${decisionId}: results`).toHaveLength(1);
        if (d.kind !== 'kube') expect(['action.executed', 'action.unknown'], `${decisionId}: ${JSON.stringify(results[0].payload.detail ?? results[0].payload.evidence)}`).toContain(results[0].type);
        const actionId = String(requested[0].payload.actionId);
        if (d.kind !== 'kube' && results[0].type === 'action.executed') expect(report.effects.get(actionId), `${actionId} executed: its effect once`).toBe(1);
      }
      // rejected: no action; approved: one
      const rejected = ev.filter((e) => e.type === 'action.rejected');
      if (d.kind === 'reject') {
        expect(rejected.length).toBeGreaterThanOrEqual(1);
        expect(ev.filter((e) => e.type === 'action.requested')).toHaveLength(0);
      }
      if (d.kind === 'approve') expect(ev.filter((e) => e.type === 'action.requested')).toHaveLength(1);
      if (d.kind === 'kube') {
        const rollbacks = ev.filter((e) => e.type === 'action.requested' && e.payload.action === 'rollback').length;
        expect(report.undos.get(d.service), `${d.service}: one undo per rollback action`).toBe(rollbacks);
      }
    }
    // each kill right after a verdict: that decision got exactly one action (approved) or none (rejected)
    for (const k of report.kills.filter((x) => x.verdict)) {
      const ev = report.deployments.flatMap((d) => d.detail.events).filter((e) => e.payload.decisionId === k.verdict!.decisionId);
      expect(ev.filter((e) => e.type === 'action.requested')).toHaveLength(k.verdict!.approve ? 1 : 0);
    }
    expect(report.auditOk).toBe(true);
  }, 480_000);
});
