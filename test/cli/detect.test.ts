// `detect` run as a real process (through tsx, so no build is needed) on a fixture series.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTimestamp, run } from '../../src/cli/commands/detect.js';
import { CliError } from '../../src/cli/errors.js';

const ROOT = join(import.meta.dirname, '../..');
const SERIES = join(ROOT, 'test/fixtures/series/daily-with-spike.csv');
const tmp = mkdtempSync(join(tmpdir(), 'detect-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('devops-commander detect', () => {
  const input = readFileSync(SERIES, 'utf8').trim().split('\n');
  const r = cli(['detect', '--input', SERIES]);
  const out = r.out.trim().split('\n');

  it('echoes every row in order with a score in [0,1]', () => {
    expect(r.code).toBe(0);
    expect(out[0]).toBe('timestamp,value,anomaly_score');
    expect(out.length).toBe(input.length);
    for (let i = 1; i < out.length; i++) {
      const [ts, v, s] = out[i].split(',');
      expect(`${ts},${v}`).toBe(input[i]);
      const score = Number(s);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('is causal: a prefix of the file gets the same scores', () => {
    const prefixFile = join(tmp, 'prefix.csv');
    writeFileSync(prefixFile, input.slice(0, 1300).join('\n') + '\n');
    const p = cli(['detect', '--input', prefixFile]).out.trim().split('\n');
    expect(p).toEqual(out.slice(0, 1300));
  });

  it('scores the injected spike highest', () => {
    const scores = out.slice(1).map((l) => Number(l.split(',')[2]));
    const top = scores.indexOf(Math.max(...scores));
    expect(top).toBeGreaterThanOrEqual(5 * 288 - 100);
    expect(top).toBeLessThan(5 * 288 - 90);
  });

  it('fails with a one-line reason and exit 2 on bad input', async () => {
    const f = join(tmp, 'bad.csv');
    writeFileSync(f, 'a,b\n1,2\n');
    const b = cli(['detect', '--input', f]); // end to end once
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/^devops-commander: detect: .*line 1: expected a CSV header with columns timestamp,value\n$/);
    // the other cases in-process (spawning each costs seconds)
    const cases: [string, RegExp][] = [
      ['timestamp,value\n2026-01-01 00:00:00,abc\n', /line 2: value 'abc'/],
      ['timestamp,value\nyesterday,1\n', /line 2: cannot read timestamp/],
      ['timestamp,value\n2026-01-01 00:00:00,1,9\n', /line 2: expected 2 fields/],
      ['', /empty input/],
    ];
    for (const [text, re] of cases) {
      writeFileSync(f, text);
      const err = await run(['--input', f]).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).toMatch(re);
    }
    const missing = await run([]).then(() => null, (e: unknown) => e);
    expect((missing as CliError).message).toMatch(/--input/);
  });

  it('scores missing values 0 and keeps their rows', () => {
    const f = join(tmp, 'gaps.csv');
    writeFileSync(f, 'timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T00:01:00Z,\n2026-01-01T00:02:00Z,NaN\n');
    const g = cli(['detect', '--input', f]);
    expect(g.code).toBe(0);
    expect(g.out.trim().split('\n').slice(2)).toEqual(['2026-01-01T00:01:00Z,,0.000000', '2026-01-01T00:02:00Z,NaN,0.000000']);
  });

  it('reads every timestamp form it accepts to the same instant', () => {
    const at = Date.UTC(2026, 2, 1, 12, 5, 9);
    for (const ts of ['2026-03-01 12:05:09', '2026-03-01T12:05:09', '2026-03-01T12:05:09Z', '2026-03-01T12:05:09.000Z', '2026-03-01T14:05:09+02:00', ' 2026-03-01 12:05:09 ', String(at / 1000), String(at)]) {
      expect(parseTimestamp(ts)).toBe(at);
    }
    // the day cache must not leak into the next day
    expect(parseTimestamp('2026-03-02 00:00:00') - parseTimestamp('2026-03-01 23:59:59')).toBe(1000);
    for (const bad of ['2026-03-01 25:00:00', '2026-13-01 00:00:00', '2026/03/01 12:00:00', 'yesterday', '']) expect(parseTimestamp(bad)).toBeNaN();
  });
});
