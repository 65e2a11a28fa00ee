// `devops-commander export --format oumi-sft|oumi-kto --out FILE [--db FILE]`: the decision history
// in the store as JSONL conversations for fine-tuning a language-model policy with Oumi
// (policy/export.ts describes the lines).
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { createSqliteStore } from '../../store/sqlite.js';
import { decisionHistory, toJsonl, type ExportFormat } from '../../policy/export.js';

const FORMATS: readonly ExportFormat[] = ['oumi-sft', 'oumi-kto'];

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { values: ['format', 'out', 'db'], flags: [] });
  const format = p.values.format as ExportFormat | undefined;
  if (!format || !FORMATS.includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}`);
  const out = p.values.out;
  if (!out) throw new CliError('export needs --out FILE (use - for stdout)');
  const db = p.values.db ?? './data/commander.db';
  if (!existsSync(db)) throw new CliError(`no database at ${db} (use --db FILE)`);
  const store = createSqliteStore(db);
  try {
    const records = await decisionHistory(store);
    const text = toJsonl(records, format);
    const lines = text ? text.trimEnd().split('\n').length : 0;
    if (out === '-') process.stdout.write(text);
    else {
      try {
        writeFileSync(out, text);
      } catch (e) {
        throw new CliError(`cannot write ${out}: ${e instanceof Error ? e.message : String(e)}`);
      }
      process.stderr.write(`export: ${lines} ${format} lines from ${records.length} decisions written to ${out}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
