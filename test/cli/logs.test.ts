// `logs mine` run as a real process (through tsx, so no build is needed), on fixture files and stdin.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../bench/csv.js';
import { run } from '../../src/cli/commands/logs.js';
import { CliError } from '../../src/cli/errors.js';

const ROOT = join(import.meta.dirname, '../..');
const FIX = join(ROOT, 'test/fixtures/logs');

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('devops-commander logs mine', () => {
  it('writes one CSV row per input line, in order, grouping like the truth labels', () => {
    const file = join(FIX, 'mixed-services.txt');
    const msgs = readFileSync(file, 'utf8').split('\n').slice(0, -1);
    const truth = readFileSync(join(FIX, 'mixed-services.truth'), 'utf8').split('\n').slice(0, -1);
    const r = cli(['logs', 'mine', '--input', file]);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.out);
    expect(rows[0]).toEqual(['LineId', 'EventId', 'EventTemplate']);
    const body = rows.slice(1);
    expect(body.length).toBe(msgs.length);
    expect(body.map((row) => row[0])).toEqual(msgs.map((_, i) => String(i + 1)));
    // same EventId <=> same true label
    const idOf = new Map<string, string>();
    const labelOf = new Map<string, string>();
    body.forEach((row, i) => {
      expect(idOf.get(truth[i]) ?? row[1]).toBe(row[1]);
      expect(labelOf.get(row[1]) ?? truth[i]).toBe(truth[i]);
      idOf.set(truth[i], row[1]);
      labelOf.set(row[1], truth[i]);
    });
    // the template of a variable line shows <*> and quotes per RFC 4180 when needed
    const i = msgs.findIndex((m) => m.startsWith('Invalid user'));
    expect(body[i][2]).toBe('Invalid user <*> from <*>');
  });

  it('reads stdin, keeps empty lines and quotes templates with commas and quotes', () => {
    const r = cli(['logs', 'mine'], 'a, b "c 12\n\nlast line without newline 7');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[1]).toMatch(/^1,T[0-9a-f]+,"a, b ""c <\*>"$/);
    const rows = parseCsv(r.out).slice(1);
    expect(rows.map((x) => [x[0], x[2]])).toEqual([
      ['1', 'a, b "c <*>'],
      ['2', ''],
      ['3', 'last line without newline <*>'],
    ]);
  });

  it('gives the same output on every run', () => {
    const file = join(FIX, 'mixed-services.txt');
    expect(cli(['logs', 'mine', '--input', file]).out).toBe(cli(['logs', 'mine', '--input', file]).out);
  });

  it('fails with a one-line reason and exit 2 on bad input', async () => {
    // end to end once: one line on stderr, exit code 2
    const r = cli(['logs', 'mine', '--input', join(FIX, 'missing.log')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^devops-commander: logs mine: no such file: .*missing\.log\n$/);
    // the other cases in-process (spawning each costs seconds)
    for (const [args, re] of [
      [['mine', '--input', FIX], /is a directory/],
      [['dig'], /unknown subcommand 'dig'/],
      [[], /missing subcommand/],
      [['mine', '--bogus'], /unknown option --bogus/],
    ] as [string[], RegExp][]) {
      const err = await run(args).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).toMatch(re);
    }
  });
});
