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

async function detect(file: string): Promise<void> {
  const det = new StreamingDetector();
  const out = new OutputBuffer();
  let lineNo = 0;
  let tsCol = -1;
  let valCol = -1;
  let width = 0;
  for await (const batch of lineBatches(openInput(file), 'detect')) {
    for (const raw of batch) {
      lineNo++;
      if (tsCol < 0) {
        const header = splitCsvLine(raw.replace(/^\uFEFF/, ''));
        const names = (header ?? []).map((h) => h.trim().toLowerCase());
        tsCol = names.indexOf('timestamp');
        valCol = names.indexOf('value');
        if (tsCol < 0 || valCol < 0) throw new CliError(`detect: ${file}: line 1: expected a CSV header with columns timestamp,value`);
        width = names.length;
        await out.write('timestamp,value,anomaly_score\n');
        continue;
      }
      if (raw.trim() === '') continue; // blank line (e.g. at the end): no row
      const f = splitCsvLine(raw);
      if (!f || f.length !== width) throw new CliError(`detect: ${file}: line ${lineNo}: expected ${width} fields`);
      const ts = f[tsCol];
      const t = parseTimestamp(ts);
      if (Number.isNaN(t)) throw new CliError(`detect: ${file}: line ${lineNo}: cannot read timestamp '${ts.slice(0, 40)}'`);
      const vText = f[valCol].trim();
      const v = vText === '' || /^(nan|null|na)$/i.test(vText) ? Number.NaN : Number(vText);
      if (Number.isNaN(v) && !(vText === '' || /^(nan|null|na)$/i.test(vText))) {
        throw new CliError(`detect: ${file}: line ${lineNo}: value '${vText.slice(0, 40)}' is not a number`);
      }
      // a missing value scores 0: missing data is never evidence of an anomaly
      const score = det.update(t, v);
      await out.write(`${csvField(ts)},${csvField(f[valCol])},${score.toFixed(6)}\n`);
      if (out.isClosed) return;
    }
  }
  if (tsCol < 0) throw new CliError(`detect: ${file}: empty input (expected a CSV header timestamp,value)`);
  await out.flush();
}
