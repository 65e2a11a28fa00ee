// kill -9 in the middle of a watch, twice (before the action and while verifying), then start
// again: the same deployment goes on and finishes, no event is lost or duplicated, the action
// ran once, and the audit chain verifies. Uses the real compiled server and a SQLite file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeploymentDetailResponse } from '../../src/core/api.js';
import { BUILT, startCommander, stop, until, type Commander, deployOnConceptPath } from './spawn-commander.js';

const dir = mkdtempSync(join(tmpdir(), 'commander-crash-'));
const config = join(dir, 'config.yaml');
writeFileSync(
  config,
  [
    'server: {port: 0}',
    `store: {kind: sqlite, path: ${JSON.stringify(join(dir, 'commander.db'))}}`,
    'watch: {windowSeconds: 300, baselineSeconds: 900, stepSeconds: 15, verifySeconds: 150}',
    'demo: {speed: 25, autoDeploy: false}',
    'guardrails: {cooldownSeconds: 0}',
  ].join('\n'),
);
let current: Commander | undefined;

afterAll(async () => {
  await stop(current, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const detail = async (c: Commander, id: string) => (await (await fetch(`${c.url}/api/deployments/${id}?series=0`)).json()) as DeploymentDetailResponse;

describe.skipIf(!BUILT)('crash and resume (kill -9)', () => {
  it('finishes the same deployment with every event exactly once', async () => {
    current = await startCommander(['demo', '--simulated', '--config', config]);
    const id = await deployOnConceptPath(current.url, { service: 'checkout', version: 'v2.0.0-bug', previousVersion: 'v1.9.0' });

    // 1st kill: a few ticks in, before any decision to act
    await until(async () => ((await detail(current!, id)).events.filter((e) => e.type === 'signals.collected').length >= 3 ? true : undefined), 30_000, '3 ticks');
    await stop(current, 'SIGKILL');
    current = await startCommander(['demo', '--simulated', '--config', config]);

    // 2nd kill: after the action ran, while verifying
    await until(async () => ((await detail(current!, id)).events.some((e) => e.type === 'action.executed') ? true : undefined), 30_000, 'the action');
    await stop(current, 'SIGKILL');
    current = await startCommander(['demo', '--simulated', '--config', config]);
    expect(current.output()).toMatch(/resumed 1 unfinished watch/);

    const d = await until(async () => {
      const x = await detail(current!, id);
      return x.events.some((e) => e.type === 'watch.completed') ? x : undefined;
    }, 40_000, 'the watch to complete');

    const types = d.events.map((e) => e.type);
    const keys = d.events.map((e) => e.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    const seqs = d.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const ticks = d.events.filter((e) => e.type === 'signals.collected').map((e) => e.payload.tick as number);
    expect(ticks).toEqual(ticks.map((_, i) => i + 1));
    for (const once of ['deployment.received', 'watch.started', 'action.requested', 'action.executed', 'outcome.verified', 'watch.completed']) {
      expect(types.filter((t) => t === once), once).toHaveLength(1);
    }
    expect(d.actions).toHaveLength(1);
    expect(d.outcome).toMatchObject({ action: 'rollback', recovered: true });
    expect(d.deployment.status).toBe('rolled_back');
    const verify = (await (await fetch(`${current.url}/api/audit/verify`)).json()) as { ok: boolean; checked: number };
    expect(verify.ok).toBe(true);
    expect(verify.checked).toBeGreaterThanOrEqual(d.events.length);
  });
});
