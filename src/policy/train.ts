// Training the shipped prior: simulated incidents are played through the REAL pipeline tick
// (analysis → features, injected as `tick`), every tick's features get the reward of every action
// from the reward table (simulation knows the truth, so the prior learns with full information;
// online learning in production only sees the reward of what was done), and one Bayesian linear
// regression per action is fitted. Then, on held-out simulated incidents (another seed):
//   1. the acting threshold (minimum P(best) for a non-continue action) is chosen, and
//   2. a monotone calibration map raw P(best) → probability of being right is fitted (isotonic),
// both measured the way the scorer measures a watch: the first non-continue decision counts.
import type { Action, Features } from '../core/types.js';
import { ACTIONS } from '../core/types.js';
import type { ScenarioTruth } from '../core/scenario.js';
import { parseTime } from '../core/time.js';
import { BanditPolicy, basis, compile, withCauseEvidence, createModel, remember, updateArm, type BanditModel } from './bandit.js';
import { dot } from './linalg.js';
import { metrics, playScenario, scoreInfo, scoreResult, type EpisodeResult, type Metrics, type ScoreInfo, type Scored, type TickFn } from './episode.js';
import { rewardVector, type Situation } from './rewards.js';
import { simulateMix, SIM_FAMILIES, type SimFamily, type SimulatedCase } from './simulate.js';

export interface TickSample {
  scenarioId: string;
  family?: string;
  at: number;
  features: Features;
  rewards: Record<Action, number>;
}

/** One played incident: its ticks' features and what scoring needs. */
export interface PlayedEpisode {
  info: ScoreInfo;
  ticks: Array<{ at: number; features: Features }>;
}

/** What is really going on at tick `t` (for rewards). */
export function situationAt(truth: ScenarioTruth, t: number, deployAt: number): Situation {
  if (truth.cause === 'none' || !truth.onset) return { cause: 'none', minutesSinceOnset: 0, pastDeadline: false };
  const onset = parseTime(truth.onset);
  if (t < onset) return { cause: 'none', minutesSinceOnset: 0, pastDeadline: false };
  const deadline = truth.deadline ? parseTime(truth.deadline) : Infinity;
  return { cause: truth.cause, minutesSinceOnset: (t - Math.max(onset, deployAt)) / 60_000, pastDeadline: t > deadline };
}

/**
 * Play simulated incidents through the tick and keep the ticks' features. `stride` > 1 keeps the
 * first 8 ticks and then every stride-th (training does not need every tick of a long quiet watch,
 * and the analysis is the slow part); evaluation needs every tick.
 */
export function playEpisodes(cases: SimulatedCase[], tick: TickFn, progress?: (done: number, total: number) => void, stride = 1): PlayedEpisode[] {
  const out: PlayedEpisode[] = [];
  cases.forEach((c, i) => {
    const ticks: PlayedEpisode['ticks'] = [];
    playScenario(c.scenario, [], tick, (t) => ticks.push(t), (k) => k < 8 || k % stride === 0);
    out.push({ info: scoreInfo(c.scenario, c.family), ticks });
    progress?.(i + 1, cases.length);
  });
  return out;
}

export function samplesOf(episodes: PlayedEpisode[]): TickSample[] {
  const out: TickSample[] = [];
  for (const e of episodes) {
    for (const t of e.ticks) {
      out.push({ scenarioId: e.info.id, family: e.info.family, at: t.at, features: withCauseEvidence(t.features), rewards: rewardVector(situationAt(e.info.truth, t.at, e.info.deployAt)) });
    }
  }
  return out;
}

/** Robust standardization per feature (median, IQR; std when the IQR is zero). */
export function standardization(samples: Array<{ features: Features }>): { names: string[]; center: number[]; scale: number[] } {
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.features)))].sort();
  const center: number[] = [];
  const scale: number[] = [];
  for (const n of names) {
    const v = samples.map((s) => s.features[n]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
    if (!v.length) {
      center.push(0);
      scale.push(1);
      continue;
    }
    const q = (p: number): number => v[Math.min(v.length - 1, Math.floor(p * (v.length - 1)))];
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    const iqr = (q(0.75) - q(0.25)) / 1.349;
    center.push(q(0.5));
    scale.push(Math.max(iqr > 0 ? Math.max(iqr, 0.1 * sd) : sd, 1e-6) || 1);
  }
  return { names, center, scale };
}

export interface FitOptions {
  version: string;
  priorPrecision?: number;
  hinge?: boolean;
}

/** Fit the per-action Bayesian linear regressions (two passes: the second uses the residual variance). */
export function fitModel(samples: TickSample[], opts: FitOptions): BanditModel {
  const st = standardization(samples);
  const make = (noise: Record<Action, number>): BanditModel => {
    const m = createModel({ version: opts.version, featureNames: st.names, center: st.center, scale: st.scale, hinge: opts.hinge ?? true, priorPrecision: opts.priorPrecision ?? 1 });
    for (const a of ACTIONS) m.arms[a].noiseVar = noise[a];
    for (const s of samples) {
      const { x } = basis(m, s.features);
      for (const a of ACTIONS) updateArm(m.arms[a], x, s.rewards[a]);
    }
    return m;
  };
  const first = make({ continue: 0.25, rollback: 0.25, scale_up: 0.25, escalate: 0.25 });
  const sse: Record<Action, number> = { continue: 0, rollback: 0, scale_up: 0, escalate: 0 };
  // residual variance per action from the posterior means
  const means = compile(first).mean;
  for (const s of samples) {
    const { x } = basis(first, s.features);
    for (const a of ACTIONS) sse[a] += (s.rewards[a] - dot(means[a], x)) ** 2;
  }
  const noise = Object.fromEntries(ACTIONS.map((a) => [a, Math.max(0.01, sse[a] / Math.max(1, samples.length))])) as Record<Action, number>;
  return make(noise);
}

/** Decide on already-played ticks (features cached): the first non-continue decision counts. */
export function evaluateCached(model: BanditModel, episodes: PlayedEpisode[]): Scored[] {
  const policy = new BanditPolicy(model);
  return episodes.map((e) => {
    let res: EpisodeResult | undefined;
    let lastConf = 0.5;
    for (const t of e.ticks) {
      const d = policy.decide({ analysis: { at: t.at, deployAt: e.info.deployAt, findings: [], coverage: {}, canary: false }, features: t.features, environment: 'production' });
      lastConf = d.confidence;
      if (d.action !== 'continue') {
        res = { scenarioId: e.info.id, decider: 'bandit', action: d.action, at: t.at, confidence: d.confidence, propensity: 1 };
        break;
      }
    }
    return scoreResult(e.info, res ?? { scenarioId: e.info.id, decider: 'bandit', action: 'continue', confidence: lastConf, propensity: 1 });
  });
}

/** Pool-adjacent-violators isotonic fit of correctness on confidence, as ≤ 12 smoothed knots. */
export function fitCalibration(rows: Array<{ confidence: number; correct: boolean }>): { x: number[]; y: number[] } {
  if (rows.length < 10) return { x: [], y: [] };
  const sorted = [...rows].sort((a, b) => a.confidence - b.confidence);
  const blocks: Array<{ sx: number; sy: number; n: number }> = [];
  for (const r of sorted) {
    blocks.push({ sx: r.confidence, sy: r.correct ? 1 : 0, n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sy / a.n <= b.sy / b.n) break;
      blocks.splice(blocks.length - 2, 2, { sx: a.sx + b.sx, sy: a.sy + b.sy, n: a.n + b.n });
    }
  }
  // Laplace-smoothed block means (never claim 0 or 1 from a handful of cases)
  let x = blocks.map((b) => b.sx / b.n);
  let y = blocks.map((b) => (b.sy + 0.5) / (b.n + 1));
  for (let i = 1; i < y.length; i++) y[i] = Math.max(y[i], y[i - 1]);
  if (x.length > 12) {
    const idx = Array.from({ length: 12 }, (_, i) => Math.round((i * (x.length - 1)) / 11));
    x = idx.map((i) => x[i]);
    y = idx.map((i) => y[i]);
  }
  return { x: x.map((v) => Math.round(v * 1e4) / 1e4), y: y.map((v) => Math.round(v * 1e4) / 1e4) };
}

export interface TrainOptions {
  seed: number;
  /** simulated incidents to learn from (default 200) */
  scenarios?: number;
  /** held-out simulated incidents for threshold and calibration (default 80) */
  heldOut?: number;
  families?: readonly SimFamily[];
  tick: TickFn;
  /** keep every stride-th training tick after the first 8 (default 2) */
  stride?: number;
  version?: string;
  progress?: (msg: string) => void;
}

export interface TrainReport {
  version: string;
  seed: number;
  trainScenarios: number;
  heldOutScenarios: number;
  ticks: number;
  actThreshold: number;
  heldOut: Metrics;
  thresholds: Array<{ threshold: number; accuracy: number; falseRollback: number }>;
}

export function trainPrior(o: TrainOptions): { model: BanditModel; report: TrainReport } {
  const n = o.scenarios ?? 200;
  const h = o.heldOut ?? 80;
  const families = o.families ?? SIM_FAMILIES;
  const version = o.version ?? `bandit-prior-s${o.seed}`;
  const say = o.progress ?? (() => {});
  const every = (label: string) => (done: number, total: number) => {
    if (done === total || done % 25 === 0) say(`${label}: ${done}/${total} incidents played`);
  };
  const train = playEpisodes(simulateMix(o.seed, n, families), o.tick, every('training set'), o.stride ?? 2);
  const held = playEpisodes(simulateMix(o.seed + 7919, h, families), o.tick, every('held-out'));
  const samples = samplesOf(train);
  say(`fitting ${samples.length} ticks`);
  const model = fitModel(samples, { version });

  // Similar past incidents: the tick one step after each training incident's onset (or its last tick).
  for (const e of train) {
    const on = e.info.truth.onset ? parseTime(e.info.truth.onset) : Infinity;
    const t = e.ticks.find((x) => x.at >= on + e.info.stepSeconds * 1000) ?? e.ticks[e.ticks.length - 1];
    if (t) remember(model, { id: e.info.id, z: basis(model, t.features).z, action: e.info.truth.bestAction, reward: 1, label: e.info.family });
  }

  const thresholds: TrainReport['thresholds'] = [];
  let best = { score: -Infinity, threshold: 0.5 };
  for (const threshold of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
    model.actThreshold = threshold;
    const m = metrics(evaluateCached(model, held));
    thresholds.push({ threshold, accuracy: round(m.accuracy), falseRollback: round(m.falseRollback) });
    const score = m.accuracy - 2 * m.falseRollback - 0.01 * (m.medianDelay ?? 0);
    if (score > best.score + 1e-9) best = { score, threshold };
  }
  model.actThreshold = best.threshold;
  say(`acting threshold ${best.threshold}`);
  model.calibration = { x: [], y: [] };
  model.calibration = fitCalibration(evaluateCached(model, held));
  const heldOut = metrics(evaluateCached(model, held));
  say(`held-out: accuracy ${heldOut.accuracy.toFixed(3)} false-rollback ${heldOut.falseRollback.toFixed(3)} brier ${heldOut.brier.toFixed(3)}`);
  return {
    model,
    report: { version, seed: o.seed, trainScenarios: n, heldOutScenarios: h, ticks: samples.length, actThreshold: best.threshold, heldOut, thresholds },
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
