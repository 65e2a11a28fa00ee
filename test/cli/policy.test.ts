import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/policy.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { PolicyVersions } from '../../src/policy/versions.js';
import { loadPrior } from '../../src/policy/prior.js';
import { capture } from './capture.js';

const tmp = mkdtempSync(join(tmpdir(), 'policy-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('devops-commander policy', () => {
  const db = join(tmp, 'p.db');
  const prior = loadPrior();

  it('lists, shows, compares and rolls back versions', async () => {
    const l = await capture(run, ['list', '--db', db]);
    expect(l.out).toContain(`* ${prior.version}`);
    const s = createSqliteStore(db);
    const v = new PolicyVersions(s);
    await v.learnFromExperience({ id: 'dep-9', features: { err_bad: 1 }, action: 'rollback', reward: 1, at: 10 }, 20);
    await s.close();
    expect((await capture(run, ['list', '--db', db])).out).toContain('* bandit-v2');
    expect((await capture(run, ['show', 'bandit-v2', '--db', db])).out).toContain(`parent ${prior.version}`);
    expect((await capture(run, ['compare', prior.version, 'bandit-v2', '--db', db])).out).toContain('largest weight changes');
    const rb = await capture(run, ['rollback', prior.version, '--db', db]);
    expect(rb.out).toContain(`active policy: ${prior.version} (was bandit-v2)`);
    const s2 = createSqliteStore(db);
    expect((await s2.audit({ type: 'policy.updated' })).length).toBe(1);
    await s2.close();
  });

  it('fails with one line on bad input', async () => {
    await expect(capture(run, ['frobnicate', '--db', db])).rejects.toThrow(/usage: policy/);
    await expect(capture(run, ['rollback', 'nope', '--db', db])).rejects.toThrow(/unknown policy version/);
    await expect(capture(run, ['show', 'v1', '--db', join(tmp, 'none.db')])).rejects.toThrow(/no database/);
  });
});
