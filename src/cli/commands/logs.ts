// `devops-commander logs mine [--input FILE]`: one log message per input line (stdin without
// FILE) -> CSV `LineId,EventId,EventTemplate`, one row per input line, in order.
//
// Output is written in blocks of BLOCK lines: the miner may merge two groups when a later line
// shows a position is variable, so each block is written once its lines are read, with every line
// mapped to its group's id and template as of the end of the block. Memory is one integer per
// line of the current block (plus the miner's bounded state), never the messages themselves.
// A row is its line number and the group's ",id,template\n", encoded once per group and block and
// copied as bytes (byte-output.ts): per line, only the miner and a few byte writes.
import { TemplateMiner } from '../../analysis/log-miner.js';
import { parseArgs } from '../args.js';
import { ByteOutput } from '../byte-output.js';
import { CliError } from '../errors.js';
import { csvField, lineChunks, openInput } from '../read-lines.js';

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
  const out = new ByteOutput();
  const pending = new Int32Array(BLOCK);
  let n = 0;
  // per group number: the encoded row tail ",id,template\n" as of the end of block rowBlock[g],
  // and the id and template it was encoded from (the same string objects while the group is
  // unchanged, so a later block's check is a pointer compare)
  const rows: Buffer[] = [];
  const rowBlock: number[] = [];
  const rowId: string[] = [];
  const rowText: string[] = [];
  let block = 0;
  const rowOf = (g: number): Buffer => {
    const t = miner.templateAt(g);
    let row = rows[g];
    if (row === undefined || rowText[g] !== t.template || rowId[g] !== t.id) {
      row = Buffer.from(`,${t.id},${csvField(t.template)}\n`, 'utf8');
      rows[g] = row;
      rowId[g] = t.id;
      rowText[g] = t.template;
    }
    rowBlock[g] = block;
    return row;
  };
  const flushBlock = async (): Promise<void> => {
    block++;
    for (let k = 0; k < n; k++) {
      const g = pending[k];
      out.nextCount(); // the line's LineId
      out.bytes(rowBlock[g] === block ? rows[g] : rowOf(g));
      if (out.mustWait) await out.drained();
      if (out.isClosed) return;
    }
    n = 0;
  };
  out.ascii('LineId,EventId,EventTemplate\n');
  for await (const chunk of lineChunks(openInput(file), 'logs mine')) {
    // lines are mined from the bytes: a line of a known shape never becomes a string
    for (let s = 0; s < chunk.length; ) {
      let nl = chunk.indexOf(10, s);
      if (nl < 0) nl = chunk.length; // the input's last line, without a newline
      const e = nl > s && chunk[nl - 1] === 13 ? nl - 1 : nl; // CRLF
      pending[n++] = miner.addBytes(chunk, s, e);
      if (n === BLOCK) await flushBlock();
      s = nl + 1;
    }
    if (out.isClosed) return;
  }
  await flushBlock();
  await out.flush();
}
