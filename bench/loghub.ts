// LogHub-2k grouping accuracy (GA) and throughput of the template miner.
// Usage: npx tsx bench/loghub.ts [DIR] [--verbose]
//   DIR defaults to ../shared/bench-data/loghub-dev; every <System>/<System>_messages.txt with its
//   <System>_2k.log_structured.csv is scored. GA as defined in that folder's README: a line is
//   correct only if its predicted group equals its true group exactly.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TemplateMiner } from '../src/analysis/log-miner.js';
import { parseCsvObjects } from './csv.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? join(import.meta.dirname, '../../shared/bench-data/loghub-dev'));

function readMessages(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** GA: sum of sizes of predicted groups that coincide exactly with a true group, over all lines. */
export function groupingAccuracy(pred: string[], truth: string[]): number {
  const n = truth.length;
  const byPred = new Map<string, number[]>();
  const byTrue = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const p = pred[i];
    if (p === undefined) continue;
    (byPred.get(p) ?? byPred.set(p, []).get(p)!).push(i);
    (byTrue.get(truth[i]) ?? byTrue.set(truth[i], []).get(truth[i])!).push(i);
  }
  let correct = 0;
  for (const lines of byPred.values()) {
    const t = truth[lines[0]];
    const tl = byTrue.get(t)!;
    if (tl.length === lines.length && lines.every((i) => truth[i] === t)) correct += lines.length;
  }
  return correct / n;
}

const systems = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, `${d.name}_messages.txt`)))
  .map((d) => d.name)
  .sort();

const all: string[] = [];
let sum = 0;
for (const sys of systems) {
  const msgs = readMessages(join(dir, sys, `${sys}_messages.txt`));
  const truthRows = parseCsvObjects(readFileSync(join(dir, sys, `${sys}_2k.log_structured.csv`), 'utf8'));
  const truth = truthRows.map((r) => r.EventId);
  if (truth.length !== msgs.length) throw new Error(`${sys}: ${msgs.length} messages vs ${truth.length} truth rows`);
  const miner = new TemplateMiner();
  const mined = msgs.map((m) => miner.add(m));
  // ids resolve to the group's final survivor (groups only merge, ids of merged groups alias)
  const pred = mined.map((t) => miner.resolve(t.id)!.id);
  const ga = groupingAccuracy(pred, truth);
  sum += ga;
  all.push(...msgs);
  console.log(`${sys.padEnd(10)} GA ${ga.toFixed(4)}  templates ${miner.templates().length} (true ${new Set(truth).size})`);
  if (verbose) report(sys, msgs, pred, truthRows);
}
console.log(`mean GA ${(sum / systems.length).toFixed(4)} over ${systems.length} systems`);

// Throughput: all messages interleaved (deterministic stride), a fresh miner per pass.
const mixed: string[] = [];
const stride = 7919;
for (let k = 0, i = 0; k < all.length; k++, i = (i + stride) % all.length) mixed.push(all[i]);
for (let w = 0; w < 3; w++) {
  const m = new TemplateMiner();
  for (const s of mixed) m.add(s);
}
const passes = 30;
const cpu = (f: () => void): number => {
  const t0 = process.cpuUsage();
  f();
  const used = process.cpuUsage(t0);
  return (used.user + used.system) / 1e6; // CPU time of this single-threaded process = one core
};
// (a) a continuous stream: the 16,000 mixed messages repeated 30 times through ONE miner (repeats
//     hit the miner's bounded digit-skeleton cache, as repeated lines do in real logs)
const secsStream = cpu(() => {
  const m = new TemplateMiner();
  for (let r = 0; r < passes; r++) for (const s of mixed) m.add(s);
});
// (b) cold: a fresh miner for every pass, so every pass pays for masking and grouping from scratch
const secsCold = cpu(() => {
  for (let r = 0; r < passes; r++) {
    const m = new TemplateMiner();
    for (const s of mixed) m.add(s);
  }
});
// (c) steady state without exact repeats: one warmed miner, then passes in which every digit is
//     rotated (d -> d+r mod 10), so every message is new text but shapes are mostly known, as with
//     live logs whose numbers change; no line repeats exactly, but digit-run lengths are kept, so
//     the miner's digit-skeleton cache hits once a shape is known (except where a name's digits
//     change: ssh2 -> ssh3 is a new name, hence a new shape)
const rotated = Array.from({ length: passes }, (_, r) => mixed.map((s) => s.replace(/[0-9]/g, (d) => String((Number(d) + 1 + (r % 9)) % 10))));
const steady = new TemplateMiner();
for (const s of mixed) steady.add(s);
const secsSteady = cpu(() => {
  for (const pass of rotated) for (const s of pass) steady.add(s);
});
const rate = (secs: number): string => Math.round((passes * mixed.length) / secs).toLocaleString('en-US');
console.log(`throughput ${rate(secsStream)} messages/s per CPU-second of one core (${mixed.length} mixed messages x ${passes}, one miner: continuous stream)`);
console.log(`throughput ${rate(secsSteady)} messages/s per CPU-second of one core (${mixed.length} mixed messages x ${passes}, one warmed miner, digits changed every pass: no exact repeats)`);
console.log(`throughput ${rate(secsCold)} messages/s per CPU-second of one core (${mixed.length} mixed messages x ${passes}, fresh miner per pass: cold start every 16,000)`);

function report(sys: string, msgs: string[], pred: string[], truthRows: Record<string, string>[]): void {
  const byTrue = new Map<string, Set<string>>();
  const byPred = new Map<string, Set<string>>();
  truthRows.forEach((r, i) => {
    (byTrue.get(r.EventId) ?? byTrue.set(r.EventId, new Set()).get(r.EventId)!).add(pred[i]);
    (byPred.get(pred[i]) ?? byPred.set(pred[i], new Set()).get(pred[i])!).add(r.EventId);
  });
  const tpl = new Map(truthRows.map((r) => [r.EventId, r.EventTemplate]));
  const size = (e: string) => truthRows.filter((r) => r.EventId === e).length;
  for (const [e, ps] of byTrue) {
    if (ps.size > 1) console.log(`  [${sys}] SPLIT ${e} (${size(e)}) into ${ps.size}: ${tpl.get(e)!.slice(0, 110)}`);
  }
  for (const [p, es] of byPred) {
    if (es.size > 1) {
      const ex = [...es].map((e) => `${e}(${size(e)}) ${tpl.get(e)!.slice(0, 70)}`);
      console.log(`  [${sys}] MERGE ${p}: ${ex.join(' | ')}`);
      const i = pred.indexOf(p);
      void msgs[i];
    }
  }
}
