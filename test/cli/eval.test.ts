// `eval` on two small scenario files through the real pipeline, with the shipped prior.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/eval.js';
import { writeScenarios } from '../../src/cli/commands/train.js';
import { capture } from './capture.js';

const tmp = mkdtempSync(join(tmpdir(), 'eval-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('devops-commander eval', () => {
  it('prints a table of the policy against the baselines and the oracle', async () => {
    writeScenarios(tmp, 9, 3, ['error_regression', 'healthy', 'no_data']);
    const r = await capture(run, ['--scenarios', '0', '--dir', tmp, '--quiet']);
    expect(r.code).toBe(0);
    for (const name of ['bandit', 'scoring', 'argo-thresholds', 'kayenta-judge', 'oracle']) expect(r.out).toContain(name);
    const oracle = r.out.split('\n').find((l) => l.startsWith('oracle'))!;
    expect(oracle.split(/\s+/)[1]).toBe('1.000');
    expect(r.out).toContain('reliability (bandit)');
  }, 120_000);

  it('says what is wrong with a bad directory', async () => {
    await expect(capture(run, ['--scenarios', '0', '--dir', join(tmp, 'missing')])).rejects.toThrow(/cannot read directory/);
    await expect(capture(run, ['--scenarios', '0'])).rejects.toThrow(/nothing to evaluate/);
  });
});
