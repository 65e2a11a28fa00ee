// `devops-commander detect --input FILE.csv`: CSV `timestamp,value` in, CSV
// `timestamp,value,anomaly_score` out, same rows in the same order, streamed row by row. The
// detector is causal, so a row's score is final as soon as the row is read.
import { StreamingDetector } from '../../analysis/detector.js';
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { csvField, lineBatches, openInput, OutputBuffer } from '../read-lines.js';

export async function run(args: string[]): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write('usage: devops-commander detect --input FILE.csv   (CSV header timestamp,value)\n');
    return 0;
  }
  const p = parseArgs(args, { values: ['input'] });
  if (p.positional.length > 0) throw new CliError(`detect: unexpected argument '${p.positional[0]}'`);
  const file = p.values.input;
  if (file === undefined) throw new CliError('detect: --input FILE.csv is required');
  await detect(file);
  return 0;
}

/** Split one CSV record (RFC-4180 quoting, no embedded newlines in this format). */
export function splitCsvLine(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let f = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        f += line.slice(i, q);
        if (line[q + 1] === '"') {
          f += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(f);
      if (i === line.length) return out;
      if (line[i] !== ',') return null;
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

/** Timestamp text -> ms: ISO-8601 / "YYYY-MM-DD HH:MM:SS[.fff]" (UTC unless zoned) or epoch s/ms. */
export function parseTimestamp(s: string): number {
  const fast = parsePlainUtc(s);
  if (!Number.isNaN(fast)) return fast;
  const t = s.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return Math.abs(n) < 1e11 ? n * 1000 : n; // seconds vs milliseconds
  }
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (m) {
    const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
    return ms;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return Date.parse(t + 'T00:00:00Z');
  return Number.NaN;
}

let cachedDay = '';
let cachedDayMs = Number.NaN;

/**
 * The common shape, "YYYY-MM-DD HH:MM:SS" (or with T, optionally Z), read digit by digit with the
 * day's start cached: a million-row file spends most of its parsing time here otherwise. NaN when the
 * text has any other shape (the general parser then decides).
 */
function parsePlainUtc(s: string): number {
  const n = s.length;
  if (n !== 19 && !(n === 20 && s.charCodeAt(19) === 90)) return Number.NaN; // 90: 'Z'
  const sep = s.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return Number.NaN;
  const d = (i: number): number => {
    const c = s.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : Number.NaN;
  };
  const hh = d(11) * 10 + d(12);
  const mi = d(14) * 10 + d(15);
  const ss = d(17) * 10 + d(18);
  if (!(hh < 24 && mi < 60 && ss < 60)) return Number.NaN;
  const day = s.slice(0, 10);
  if (day !== cachedDay) {
    const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    const mo = d(5) * 10 + d(6);
    const dd = d(8) * 10 + d(9);
    const ms = Date.UTC(y, mo - 1, dd);
    // Date.UTC rolls 2026-02-31 over into March: such a day is not a date
    if (!(mo >= 1 && mo <= 12 && dd >= 1 && new Date(ms).getUTCDate() === dd)) return Number.NaN;
    cachedDay = day;
    cachedDayMs = ms;
  }
  return cachedDayMs + ((hh * 60 + mi) * 60 + ss) * 1000;
}

const MISSING = /^(nan|null|na)$/i;

async function detect(file: string): Promise<void> {
  const det = new StreamingDetector();
  const out = new OutputBuffer();
  let lineNo = 0;
  let tsCol = -1;
  let valCol = -1;
  let width = 0;
  for await (const batch of lineBatches(openInput(file), 'detect')) {
    const lines: string[] = [];
    for (const raw of batch) {
      lineNo++;
      if (tsCol < 0) {
        const header = splitCsvLine(raw.replace(/^\uFEFF/, ''));
        const names = (header ?? []).map((h) => h.trim().toLowerCase());
        tsCol = names.indexOf('timestamp');
        valCol = names.indexOf('value');
        if (tsCol < 0 || valCol < 0) throw new CliError(`detect: ${file}: line 1: expected a CSV header with columns timestamp,value`);
        width = names.length;
        lines.push('timestamp,value,anomaly_score\n');
        continue;
      }
      if (raw.trim() === '') continue; // blank line (e.g. at the end): no row
      // the common case, two plain fields: echo the line as it came
      const comma = raw.indexOf(',');
      const plain = width === 2 && tsCol === 0 && comma >= 0 && raw.indexOf(',', comma + 1) < 0 && raw.indexOf('"') < 0;
      const f = plain ? [raw.slice(0, comma), raw.slice(comma + 1)] : splitCsvLine(raw);
      if (!f || f.length !== width) throw new CliError(`detect: ${file}: line ${lineNo}: expected ${width} fields`);
      const ts = f[tsCol];
      const t = parseTimestamp(ts);
      if (Number.isNaN(t)) throw new CliError(`detect: ${file}: line ${lineNo}: cannot read timestamp '${ts.slice(0, 40)}'`);
      const vText = f[valCol].trim();
      const missing = vText === '' || MISSING.test(vText);
      const v = missing ? Number.NaN : Number(vText);
      if (Number.isNaN(v) && !missing) throw new CliError(`detect: ${file}: line ${lineNo}: value '${vText.slice(0, 40)}' is not a number`);
      // a missing value scores 0: missing data is never evidence of an anomaly
      const score = det.update(t, v);
      lines.push(plain ? `${raw},${score.toFixed(6)}\n` : `${csvField(ts)},${csvField(f[valCol])},${score.toFixed(6)}\n`);
    }
    await out.write(lines.join(''));
    if (out.isClosed) return;
  }
  if (tsCol < 0) throw new CliError(`detect: ${file}: empty input (expected a CSV header timestamp,value)`);
  await out.flush();
}
