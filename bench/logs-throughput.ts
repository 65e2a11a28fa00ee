// Throughput of `devops-commander logs mine`: the miner alone vs the command end to end (read the
// file, mine, write the CSV), on one 2,000,000-line file.
// Usage: npx tsx bench/logs-throughput.ts [DIR] [--styles] [--lines N] [--runs K] [--cli PATH] [--out FILE]
//   DIR: loghub-dev folder (default ../shared/bench-data/loghub-dev). The file repeats the 16,000
//   dev messages (interleaved) with fresh numbers and hex ids on every repeat (names such as ssh2
//   keep their digits), so values vary as in live logs while statements recur. --styles takes the
//   generated styles of bench/log-styles.ts instead (16,000 lines, 2,000 of each style, every
//   line's values drawn afresh: UUIDs, request paths, hosts), the cloud and syslog kinds of lines.
//   The command runs from dist/ (`npm run build` first), in a child process whose stdout goes to
//   /dev/null; K runs of each (default 3), interleaved, medians shown.
//   --out FILE keeps the generated file there (--runs 0 only writes it).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TemplateMiner } from '../src/analysis/log-miner.js';
import { seededRandom } from '../src/core/random.js';
import { STYLES, generateStyle } from './log-styles.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const dir = resolve(args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--'))) ?? join(import.meta.dirname, '../../shared/bench-data/loghub-dev'));
const total = Number(opt('--lines') ?? 2_000_000);
const runs = Number(opt('--runs') ?? 3);
const cli = resolve(opt('--cli') ?? join(import.meta.dirname, '../bin/devops-commander.js'));
if (!existsSync(join(import.meta.dirname, '../dist/src/cli/main.js')) && opt('--cli') === undefined) {
  console.error('logs-throughput: dist/ is missing; run `npm run build` (or npx tsc -p tsconfig.build.json) first');
  process.exit(1);
}

const styles = args.includes('--styles');
const all: string[] = [];
if (!styles) {
  for (const sys of readdirSync(dir).sort()) {
    const f = join(dir, sys, `${sys}_messages.txt`);
    if (!existsSync(f)) continue;
    const lines = readFileSync(f, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    all.push(...lines);
  }
}
const work = mkdtempSync(join(tmpdir(), 'logs-throughput-'));
const keep = opt('--out');
const file = keep ?? join(work, 'messages.txt');
const fd = openSync(file, 'w');
const rand = seededRandom(42);
// a value: a run of letters and digits that starts with a digit, or 6+ hex characters with a digit
const VALUE_RUN = /(?<![A-Za-z0-9])(?:[0-9][A-Za-z0-9]*|(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{6,})(?![A-Za-z0-9])/g;
const digit = (): string => String(Math.floor(rand() * 10));
const hexChar = (): string => '0123456789abcdef'[Math.floor(rand() * 16)];
/** A fresh value of the same kind and length: a decimal number gets new digits, a hex id new hex characters. */
function fresh(run: string): string {
  const hex = /[a-fA-F]/.test(run);
  let out = '';
  for (let k = 0; k < run.length; k++) {
    const c = run[k];
    const isD = c >= '0' && c <= '9';
    const isH = hex && /[a-fA-F]/.test(c);
    if (k === 0 && isD) out += c === '0' ? '0' : String(1 + Math.floor(rand() * 9)); // keep 0x / leading digit
    else if (isD || isH) {
      const x = hex ? hexChar() : digit();
      out += c >= 'A' && c <= 'F' ? x.toUpperCase() : x;
    } else out += c;
  }
  // a hex id must keep a digit (else it reads as a word)
  return hex && !/[0-9]/.test(out) ? '1' + out.slice(1) : out;
}
let written = 0;
for (let rep = 0; written < total; rep++) {
  // generated styles: a new draw of every style's 2,000 lines on every repeat
  if (styles) all.splice(0, all.length, ...STYLES.flatMap((st) => generateStyle(st, 2000, 1000 + rep).messages));
  const chunk: string[] = [];
  for (let k = 0, i = 0; k < all.length && written < total; k++, i = (i + 7919) % all.length, written++) {
    // new values, same statements: every number and hex id is drawn afresh (a random hex id
    // has a new pattern of digits and letters); names with a digit in them (ssh2, en0,
    // jk2_init) stay as they are, as in live logs
    chunk.push(styles ? all[i] : rep === 0 ? all[i] : all[i].replace(VALUE_RUN, fresh));
  }
  writeSync(fd, chunk.join('\n') + '\n');
}
closeSync(fd);
const bytes = statSync(file).size;
console.log(`${total.toLocaleString('en-US')} lines, ${(bytes / 1e6).toFixed(1)} MB (${file})`);

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** CPU seconds of the miner's string API (what the loop uses) over the file's lines, split beforehand. */
function minerStrings(): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop();
  const t0 = cpuNow();
  const miner = new TemplateMiner();
  const ids = new Int32Array(lines.length);
  for (let i = 0; i < lines.length; i++) ids[i] = miner.addIndex(lines[i]);
  // what the command does per line besides mining: the group's template as of the end
  for (let i = 0; i < ids.length; i++) miner.templateAt(ids[i]);
  return cpuNow() - t0;
}

/** CPU seconds of the miner's byte API (what `logs mine` uses) over the file's bytes. */
function minerBytes(): number {
  const buf = readFileSync(file);
  const t0 = cpuNow();
  const miner = new TemplateMiner();
  const ids = new Int32Array(total);
  let n = 0;
  for (let s = 0; s < buf.length; ) {
    const nl = buf.indexOf(10, s);
    const e = nl < 0 ? buf.length : nl;
    ids[n++] = miner.addBytes(buf, s, e);
    s = e + 1;
  }
  for (let i = 0; i < n; i++) miner.templateAt(ids[i]);
  return cpuNow() - t0;
}

const TIME = '/usr/bin/time';
/** Wall and CPU seconds of `logs mine --input FILE > /dev/null` in its own process (CPU needs GNU time). */
function endToEnd(): { wall: number; cpu: number } {
  const withTime = existsSync(TIME);
  const cmd = withTime ? TIME : process.execPath;
  const argv = [cli, 'logs', 'mine', '--input', file];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, withTime ? ['-f', 'cpu %U %S', process.execPath, ...argv] : argv, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`logs mine exited ${r.status}: ${r.stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const strings: number[] = [];
const bytesApi: number[] = [];
const e2eWall: number[] = [];
const e2eCpu: number[] = [];
for (let k = 0; k < runs; k++) {
  strings.push(minerStrings());
  bytesApi.push(minerBytes());
  const r = endToEnd();
  e2eWall.push(r.wall);
  e2eCpu.push(r.cpu);
}
if (runs > 0) {
  const rate = (secs: number): string => Math.round(total / secs).toLocaleString('en-US');
  const row = (what: string, xs: number[], note: string): void =>
    console.log(`${what.padEnd(34)} ${median(xs).toFixed(2)} s  ${rate(median(xs)).padStart(10)} lines/s  (runs ${xs.map((x) => x.toFixed(2)).join(', ')}; ${note})`);
  row('miner alone, strings (add)', strings, 'CPU time, lines split beforehand');
  row('miner alone, bytes (addBytes)', bytesApi, 'CPU time, the file read beforehand');
  row('logs mine end to end, wall', e2eWall, 'start-up, read, mine, CSV to /dev/null');
  if (!e2eCpu.some(Number.isNaN)) row('logs mine end to end, CPU', e2eCpu, 'user + system of the process');
  console.log(`end to end (wall) / miner alone (bytes): ${(median(e2eWall) / median(bytesApi)).toFixed(2)}x; the machine's load shows as wall time above CPU time`);
}
if (keep === undefined) rmSync(work, { recursive: true, force: true });
