// Learning works: starting from the shipped prior, after N (default 200) simulated incidents of the
// family it handles worst, its accuracy on that family rises and on the others it does not fall.
//   npx tsx bench/learning.ts [--incidents 200] [--per-family 20] [--seed 99] [--family NAME] [--prior FILE] [--every 25]
// Prints the learning curve (the evaluation after every `--every` incidents; 0 = only at the end)
// and the per-family table before and after.
// The incidents are played through the real pipeline. Each one is a watch, as in production: the
// policy explores (Thompson sampling; allowed because this is simulation, never production, and only
// where a decision is in play, bandit.ts) and the first action it takes is the one carried out; its
// verified outcome (the reward of that action at that moment, from the incident's truth) is learned
// (bandit feedback: only the action taken learns), one new version per incident. A watch that never
// acted is verified only by its own judgement (healthy = it kept continuing), which tells the
// policy nothing it did not already believe, so it is not learned from.
import { pipelineTick } from '../src/cli/pipeline-tick.js';
import { BanditPolicy, type BanditModel } from '../src/policy/bandit.js';
import { learn, type Experience } from '../src/policy/learn.js';
import { loadPrior } from '../src/policy/prior.js';
import { reward } from '../src/policy/rewards.js';
import { SIM_FAMILIES, simulateMix, type SimFamily } from '../src/policy/simulate.js';
import { evaluateCached, playEpisodes, situationAt, type PlayedEpisode } from '../src/policy/train.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const N = arg('incidents', 200);
const PER = arg('per-family', 20);
const FAMILY = process.argv.includes('--family') ? (process.argv[process.argv.indexOf('--family') + 1] as SimFamily) : undefined;
const SEED = arg('seed', 99);
const EVERY = arg('every', 25);
const tick = pipelineTick();
const log = (m: string): void => void process.stderr.write(m + '\n');

function perFamily(model: BanditModel, eps: PlayedEpisode[]): Record<string, number> {
  const rows = evaluateCached(model, eps);
  const out: Record<string, number> = {};
  for (const f of SIM_FAMILIES) {
    const mine = rows.filter((r) => r.family === f);
    out[f] = mine.filter((r) => r.correct).length / Math.max(1, mine.length);
  }
  out.all = rows.filter((r) => r.correct).length / rows.length;
  return out;
}

const t0 = Date.now();
const prior = process.argv.includes('--prior') ? loadPrior(process.argv[process.argv.indexOf('--prior') + 1]) : loadPrior();
log(`evaluation set: ${PER} per family`);
const evalSet = playEpisodes(simulateMix(SEED, PER * SIM_FAMILIES.length), tick, (d, n) => d % 10 === 0 && log(`  eval ${d}/${n}`));
const before = perFamily(prior, evalSet);
const worst = FAMILY ?? (SIM_FAMILIES.reduce((a, b) => (before[b] < before[a] ? b : a)) as SimFamily);
log(`${FAMILY ? 'chosen' : 'worst'} family for the prior: ${worst} (${before[worst].toFixed(2)})`);

// Online learning on `worst`.
let model = prior;
const incidents = simulateMix(SEED + 1_000_003, N, [worst]);
let acted = 0;
let explored = 0;
const curve: Array<{ n: number; acc: Record<string, number> }> = [{ n: 0, acc: before }];
incidents.forEach((c, i) => {
  const [ep] = playEpisodes([c], tick);
  const policy = new BanditPolicy(model, { explore: true, seed: i });
  for (const t of ep.ticks) {
    const d = policy.decide({ analysis: { at: t.at, deployAt: ep.info.deployAt, findings: [], coverage: {}, canary: false }, features: t.features, environment: 'simulation' });
    if (d.action === 'continue') continue;
    acted++;
    if ((d.propensity ?? 1) < 1) explored++;
    const r = reward(d.action, situationAt(ep.info.truth, t.at, ep.info.deployAt));
    const batch: Experience[] = [{ id: ep.info.id, features: t.features, action: d.action, reward: r, label: worst }];
    model = learn(model, batch, `bandit-learn-${i + 1}`);
    break;
  }
  if ((i + 1) % 25 === 0) log(`  learned from ${i + 1}/${N} incidents (${acted} acted on, ${explored} of them exploratory draws)`);
  if (EVERY > 0 && (i + 1) % EVERY === 0 && i + 1 < N) curve.push({ n: i + 1, acc: perFamily(model, evalSet) });
});
const after = perFamily(model, evalSet);

const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`learning bench: prior ${prior.version}, ${N} incidents of '${worst}' (${acted} acted on and learned from, ${explored} exploratory), evaluation ${PER} per family (seed ${SEED}), ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`${pad('family', 22)} before  after`);
for (const f of [...SIM_FAMILIES, 'all']) console.log(`${pad(f + (f === worst ? ' *' : ''), 22)} ${before[f].toFixed(2).padStart(6)} ${after[f].toFixed(2).padStart(6)}`);
const others = SIM_FAMILIES.filter((f) => f !== worst);
if (curve.length > 1) {
  curve.push({ n: N, acc: after });
  // a text chart: one bar per checkpoint, the target family's accuracy (each █ = 0.05)
  console.log(`learning curve (${worst}; lowest other family; all)`);
  for (const c of curve) {
    const lowest = Math.min(...others.map((f) => c.acc[f]));
    console.log(`  after ${String(c.n).padStart(4)}  ${'█'.repeat(Math.round(c.acc[worst] * 20)).padEnd(20)} ${c.acc[worst].toFixed(2)}   ${lowest.toFixed(2)}   ${c.acc.all.toFixed(2)}`);
  }
}
const fell = others.filter((f) => after[f] < before[f] - 1e-9);
console.log(`target family ${after[worst] > before[worst] ? 'ROSE' : 'did not rise'}: ${before[worst].toFixed(2)} → ${after[worst].toFixed(2)}; others ${fell.length ? 'FELL on ' + fell.join(', ') : 'did not fall'}`);
