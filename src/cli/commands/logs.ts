// `devops-commander logs mine [--input FILE]`: one log message per input line (stdin without
// FILE) -> CSV `LineId,EventId,EventTemplate`, one row per input line, in order.
//
// Output is written in blocks of BLOCK lines: the miner may merge two groups when a later line
// shows a position is variable, so each block is written once its lines are read, with every line
// mapped to its group's id and template as of the end of the block. Memory is one reference per
// line of the current block (plus the miner's bounded state), never the messages themselves.
import { TemplateMiner, type MinedTemplate } from '../../analysis/log-miner.js';
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { csvField, lineBatches, openInput, OutputBuffer } from '../read-lines.js';

const BLOCK = 100_000;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') {
    process.stdout.write('usage: devops-commander logs mine [--input FILE]\n');
    return 0;
  }
  if (sub !== 'mine') throw new CliError(sub === undefined ? 'logs: missing subcommand (usage: logs mine [--input FILE])' : `logs: unknown subcommand '${sub}' (usage: logs mine [--input FILE])`);
  const p = parseArgs(rest, { values: ['input'] });
  if (p.positional.length > 0) throw new CliError(`logs mine: unexpected argument '${p.positional[0]}'`);
  await mine(p.values.input);
  return 0;
}

async function mine(file: string | undefined): Promise<void> {
  const miner = new TemplateMiner();
  const out = new OutputBuffer();
  let pending: MinedTemplate[] = [];
  let lineId = 0;
  const flushBlock = async (): Promise<void> => {
    for (const t of pending) {
      const cur = miner.resolve(t.id) ?? t;
      await out.write(`${++lineId},${cur.id},${csvField(cur.template)}\n`);
      if (out.isClosed) return;
    }
    pending = [];
  };
  await out.write('LineId,EventId,EventTemplate\n');
  for await (const batch of lineBatches(openInput(file), 'logs mine')) {
    for (const line of batch) {
      pending.push(miner.add(line));
      if (pending.length >= BLOCK) await flushBlock();
    }
    if (out.isClosed) return;
  }
  await flushBlock();
  await out.flush();
}
