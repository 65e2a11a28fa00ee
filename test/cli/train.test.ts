import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/train.js';
import { CliError } from '../../src/cli/errors.js';
import { capture } from './capture.js';

const tmp = mkdtempSync(join(tmpdir(), 'train-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('devops-commander train', () => {
  it('writes simulated scenario files with a families index, reproducibly', async () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    await capture(run, ['--write-scenarios', a, '--count', '10', '--seed', '5']);
    await capture(run, ['--write-scenarios', b, '--count', '10', '--seed', '5']);
    const files = readdirSync(a).filter((f) => f.startsWith('mock-')).sort();
    expect(files).toHaveLength(10);
    for (const f of files) {
      expect(readFileSync(join(a, f), 'utf8')).toBe(readFileSync(join(b, f), 'utf8'));
      expect(statSync(join(a, f)).size).toBeLessThan(150_000);
      const s = JSON.parse(readFileSync(join(a, f), 'utf8'));
      expect(s.truth.bestAction).toMatch(/^(continue|rollback|scale_up|escalate)$/);
    }
    const fam = JSON.parse(readFileSync(join(a, 'families.json'), 'utf8')).families;
    expect(Object.keys(fam)).toHaveLength(10);
  });

  it('rejects bad options with a one-line error', async () => {
    await expect(capture(run, ['--families', 'nope'])).rejects.toThrow(CliError);
    await expect(capture(run, ['--seed', '-3'])).rejects.toThrow(/--seed must be a whole number/);
    await expect(capture(run, ['--bogus'])).rejects.toThrow(/unknown option --bogus/);
  });
});
