// `logs mine` run as a real process (through tsx, so no build is needed), on fixture files and stdin.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../bench/csv.js';
import { TemplateMiner } from '../../src/analysis/log-miner.js';
import { run } from '../../src/cli/commands/logs.js';
import { CliError } from '../../src/cli/errors.js';
import { csvField, lineBatches, lineChunks } from '../../src/cli/read-lines.js';

const ROOT = join(import.meta.dirname, '../..');
const FIX = join(ROOT, 'test/fixtures/logs');

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26 });
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

  it('writes exactly what mining each line as a string gives (ids, templates, RFC 4180 quoting), from a file and from stdin', () => {
    for (const f of ['syslog.txt', 'cloud-requests.txt', 'mixed-services.txt']) {
      const file = join(FIX, f);
      const text = readFileSync(file, 'utf8');
      const msgs = text.split('\n').slice(0, -1);
      // the reference: one string per line through the miner's string API, resolved at the end
      // (the fixtures are shorter than one output block)
      const m = new TemplateMiner();
      const got = msgs.map((x) => m.add(x));
      const expected = 'LineId,EventId,EventTemplate\n' + got.map((t, i) => `${i + 1},${m.resolve(t.id)!.id},${csvField(m.resolve(t.id)!.template)}\n`).join('');
      expect(cli(['logs', 'mine', '--input', file]).out).toBe(expected);
      expect(cli(['logs', 'mine'], text).out).toBe(expected);
    }
    // a template holding a comma and quotes is quoted, its quotes doubled
    const r = cli(['logs', 'mine'], 'user "bob, the admin" logged in from 10.0.0.1\n');
    expect(r.out.split('\n')[1]).toMatch(/^1,T[0-9a-f]+,"user ""bob, the admin"" logged in from <\*>"$/);
  });

  it('reads CRLF lines, UTF-8 text and a last line without a newline', () => {
    const r = cli(['logs', 'mine'], 'café fermé 12\r\n\r\nnaïve ✓ 7\r\ncafé fermé 99');
    expect(r.code).toBe(0);
    const rows = parseCsv(r.out).slice(1);
    expect(rows.map((x) => [x[0], x[2]])).toEqual([
      ['1', 'café fermé <*>'],
      ['2', ''],
      ['3', 'naïve ✓ <*>'],
      ['4', 'café fermé <*>'],
    ]);
    expect(rows[3][1]).toBe(rows[0][1]);
  });

  it('writes a row for every line past one output block, and stops quietly when the reader goes away', () => {
    const n = 150_000; // more than one block of 100,000
    const input = Array.from({ length: n }, (_, i) => `request ${i} served in ${i % 97}ms`).join('\n') + '\n';
    const r = cli(['logs', 'mine'], input);
    expect(r.code).toBe(0);
    const out = r.out.split('\n');
    expect(out.length).toBe(n + 2); // header, n rows, final newline
    expect(out[n]).toMatch(/^150000,T[0-9a-f]+,request <\*> served in <\*>$/);
    expect(new Set(out.slice(1, -1).map((l) => l.split(',')[1])).size).toBe(1);
    // a reader slower than the writer gets the same bytes (the writer waits when the pipe is full)
    const slow = `const h=require('crypto').createHash('md5');process.stdin.on('data',c=>{h.update(c);process.stdin.pause();setTimeout(()=>process.stdin.resume(),1)});process.stdin.on('end',()=>console.log(h.digest('hex')))`;
    const piped = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts logs mine | ${JSON.stringify(process.execPath)} -e ${JSON.stringify(slow)}`], { cwd: ROOT, input, encoding: 'utf8', timeout: 120_000 });
    expect(piped.stdout.trim()).toBe(createHash('md5').update(r.out).digest('hex'));
    // `| head -3`: the reader closes early; no error, no stack trace
    const head = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts logs mine | head -3`], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
    expect(head.stdout.split('\n').length).toBe(4);
    expect(head.stderr).toBe('');
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

describe('line input', () => {
  // chunks cut anywhere: inside a line, inside a UTF-8 character, between CR and LF
  const pieces = (text: string, cuts: number[]): Buffer[] => {
    const b = Buffer.from(text, 'utf8');
    const out: Buffer[] = [];
    let at = 0;
    for (const c of [...cuts, b.length]) {
      out.push(b.subarray(at, c));
      at = c;
    }
    return out;
  };
  const text = 'first line\r\nsecond é line\n\nthird ✓\r\nlast';
  const lines = ['first line', 'second é line', '', 'third ✓', 'last'];

  it('yields whole lines however the input is chunked', async () => {
    const b = Buffer.from(text, 'utf8');
    for (const cuts of [[], [3], [11, 12], [17, 18, 19], [1, 2, 3, 4, 5, 30], Array.from({ length: b.length - 1 }, (_, i) => i + 1)]) {
      const got: string[] = [];
      for await (const batch of lineBatches(Readable.from(pieces(text, cuts)), 'test')) got.push(...batch);
      expect(got).toEqual(lines);
      // lineChunks: pieces of whole lines, every byte once, in order
      const chunks: Buffer[] = [];
      for await (const c of lineChunks(Readable.from(pieces(text, cuts)), 'test')) chunks.push(c);
      expect(Buffer.concat(chunks).toString('utf8')).toBe(text);
      for (const c of chunks.slice(0, -1)) expect(c[c.length - 1]).toBe(10);
    }
  });
});
