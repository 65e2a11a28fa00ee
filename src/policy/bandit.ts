// The learning policy: a contextual bandit with Thompson sampling over one Bayesian linear
// regression per action (reward ≈ θₐ·x(features), Gaussian prior, conjugate updates). Why this
// model: its posterior is exact and cheap to update online one outcome at a time, every number in it
// can be inspected, and a linear score per action is easy to explain feature by feature.
//
// - `confidence` is the posterior-predictive probability that the chosen action is the best one,
//   estimated by seeded sampling, then passed through a monotone calibration map fitted on held-out
//   simulated incidents (train.ts), so that "0.9" means right about 9 times in 10.
// - Production never explores: outside simulation/shadow mode the action is the posterior-mean best
//   (greedy, propensity 1), and a non-continue action needs P(best) ≥ actThreshold. Thompson draws
//   (exploration) happen only when the policy is built with `explore: true` and the environment is
//   not production.
// - Deterministic given the seed: the sampler is seeded from the model version and the features.
import type { Action, Decision, Features, Policy, PolicyInput } from '../core/types.js';
import { ACTIONS } from '../core/types.js';
import { hashSeed, normal, seededRandom } from '../core/random.js';
import { scoreCauses, ScoringPolicy } from './scoring-policy.js';
import { extractFeatures } from './features.js';
import { addOuter, cholesky, cholSolve, dot, identity, invQuad, type Matrix } from './linalg.js';

export interface ArmState {
  /** posterior precision (Λ = λI + Σ x xᵀ / σ²) */
  precision: Matrix;
  /** Σ x r / σ² */
  b: number[];
  /** observation noise variance σ² of rewards for this action */
  noiseVar: number;
  /** number of rewards learned */
  n: number;
}

export interface MemoryItem {
  /** incident id (scenario or deployment) */
  id: string;
  /** standardized features */
  z: number[];
  action: Action;
  reward: number;
  /** what it turned out to be, when known */
  label?: string;
}

export interface BanditModel {
  format: 'devops-commander/bandit-v1';
  version: string;
  featureNames: string[];
  /** standardization: z = clip((f - center) / scale, ±6) */
  center: number[];
  scale: number[];
  /** add hinge terms max(z - 1, 0) so a linear score can bend at large effects */
  hinge: boolean;
  /** a non-continue action needs at least this posterior P(best) when acting greedily */
  actThreshold: number;
  arms: Record<Action, ArmState>;
  /** monotone map raw P(best) → calibrated probability (piecewise linear knots) */
  calibration: { x: number[]; y: number[] };
  /** a few past incidents to cite as "similar" */
  memory: MemoryItem[];
}

export const MEMORY_CAP = 300;

export function basisSize(nFeatures: number, hinge: boolean): number {
  return 1 + nFeatures * (hinge ? 2 : 1);
}

/**
 * The transparent policy's evidence per cause (scoring-policy.ts), added as four context features:
 * the bandit learns on top of that expert knowledge (how much to trust each cause's evidence, and
 * what to add to it) instead of rediscovering it from raw features alone.
 */
export const CAUSE_FEATURES = ['ev_regression', 'ev_surge', 'ev_dependency', 'ev_no_data', 'sp_rollback', 'sp_scale_up', 'sp_escalate'] as const;
const EXPERT = new ScoringPolicy();
/** every documented feature at its "nothing found" value, so partial feature sets are complete */
const DEFAULTS = extractFeatures({ at: 0, deployAt: 0, findings: [], coverage: {}, canary: false });

export function withCauseEvidence(raw: Features): Features {
  if (typeof raw.ev_regression === 'number') return raw;
  const f = { ...DEFAULTS, ...raw };
  let c: ReturnType<typeof scoreCauses>;
  try {
    c = scoreCauses(f);
  } catch {
    return { ...raw, ev_regression: 0, ev_surge: 0, ev_dependency: 0, ev_no_data: 0, sp_rollback: 0, sp_scale_up: 0, sp_escalate: 0 };
  }
  const sum = (xs: Array<{ weight: number }>): number => xs.reduce((a, e) => a + e.weight, 0);
  // the expert's own verdict (its thresholds and gates), one-hot
  const d = EXPERT.decide({ analysis: { at: 0, deployAt: 0, findings: [], coverage: {}, canary: false }, features: f, environment: 'production' });
  return {
    ...raw,
    ev_regression: sum(c.regression),
    ev_surge: sum(c.surge),
    ev_dependency: sum(c.dependency),
    ev_no_data: sum(c.noData),
    sp_rollback: d.action === 'rollback' ? 1 : 0,
    sp_scale_up: d.action === 'scale_up' ? 1 : 0,
    sp_escalate: d.action === 'escalate' ? 1 : 0,
  };
}

/** Standardized features z and the regression basis x = [1, z, (hinges)]. */
export function basis(model: Pick<BanditModel, 'featureNames' | 'center' | 'scale' | 'hinge'>, raw: Features): { x: number[]; z: number[] } {
  const f = model.featureNames.includes('ev_regression') ? withCauseEvidence(raw) : raw;
  const z = model.featureNames.map((name, i) => {
    const v = f[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) return 0; // missing → the average case
    const s = (v - model.center[i]) / (model.scale[i] || 1);
    return Math.max(-6, Math.min(6, s));
  });
  const x = [1, ...z];
  if (model.hinge) for (const v of z) x.push(Math.max(0, v - 1));
  return { x, z };
}

export function createModel(opts: {
  version: string;
  featureNames: string[];
  center: number[];
  scale: number[];
  hinge?: boolean;
  priorPrecision?: number;
  noiseVar?: number;
  actThreshold?: number;
}): BanditModel {
  const hinge = opts.hinge ?? true;
  const d = basisSize(opts.featureNames.length, hinge);
  const arm = (): ArmState => ({ precision: identity(d, opts.priorPrecision ?? 1), b: new Array<number>(d).fill(0), noiseVar: opts.noiseVar ?? 0.25, n: 0 });
  return {
    format: 'devops-commander/bandit-v1',
    version: opts.version,
    featureNames: opts.featureNames,
    center: opts.center,
    scale: opts.scale,
    hinge,
    actThreshold: opts.actThreshold ?? 0.5,
    arms: { continue: arm(), rollback: arm(), scale_up: arm(), escalate: arm() },
    calibration: { x: [], y: [] },
    memory: [],
  };
}

/** Conjugate update of one arm with one (x, reward) pair, in place. */
export function updateArm(arm: ArmState, x: readonly number[], r: number, weight = 1): void {
  const w = weight / arm.noiseVar;
  addOuter(arm.precision, x, w);
  for (let i = 0; i < x.length; i++) arm.b[i] += w * x[i] * r;
  arm.n += weight;
}

export function cloneModel(m: BanditModel): BanditModel {
  return JSON.parse(JSON.stringify(m)) as BanditModel;
}

interface Compiled {
  chol: Record<Action, Matrix>;
  mean: Record<Action, number[]>;
}
const compiledCache = new WeakMap<BanditModel, Compiled>();

/** Posterior means and Cholesky factors (cached per model object: models are treated as immutable). */
export function compile(model: BanditModel): Compiled {
  let c = compiledCache.get(model);
  if (!c) {
    const chol = {} as Record<Action, Matrix>;
    const mean = {} as Record<Action, number[]>;
    for (const a of ACTIONS) {
      chol[a] = cholesky(model.arms[a].precision);
      mean[a] = cholSolve(chol[a], model.arms[a].b);
    }
    c = { chol, mean };
    compiledCache.set(model, c);
  }
  return c;
}

export interface Posterior {
  /** posterior mean reward per action */
  mean: Record<Action, number>;
  /** posterior-predictive variance per action (parameter uncertainty + reward noise) */
  variance: Record<Action, number>;
  /** P(action has the highest reward), estimated by sampling */
  pBest: Record<Action, number>;
  x: number[];
  z: number[];
}

export function posterior(model: BanditModel, features: Features, seed: number, samples = 512): Posterior {
  const c = compile(model);
  const { x, z } = basis(model, features);
  const mean = {} as Record<Action, number>;
  const sd = {} as Record<Action, number>;
  const variance = {} as Record<Action, number>;
  for (const a of ACTIONS) {
    mean[a] = dot(c.mean[a], x);
    variance[a] = invQuad(c.chol[a], x) + model.arms[a].noiseVar;
    sd[a] = Math.sqrt(variance[a]);
  }
  const rand = seededRandom(seed);
  const wins: Record<Action, number> = { continue: 0, rollback: 0, scale_up: 0, escalate: 0 };
  for (let s = 0; s < samples; s++) {
    let best: Action = 'continue';
    let bestV = -Infinity;
    for (const a of ACTIONS) {
      const v = mean[a] + sd[a] * normal(rand);
      if (v > bestV) {
        bestV = v;
        best = a;
      }
    }
    wins[best]++;
  }
  const pBest = {} as Record<Action, number>;
  for (const a of ACTIONS) pBest[a] = wins[a] / samples;
  return { mean, variance, pBest, x, z };
}

/** Apply the calibration map (identity when none was fitted). */
export function calibrate(model: BanditModel, p: number): number {
  const { x, y } = model.calibration;
  if (x.length === 0) return p;
  if (p <= x[0]) return y[0];
  for (let i = 1; i < x.length; i++) {
    if (p <= x[i]) {
      const t = (p - x[i - 1]) / (x[i] - x[i - 1] || 1);
      return y[i - 1] + t * (y[i] - y[i - 1]);
    }
  }
  return y[y.length - 1];
}

export interface BanditOptions {
  /** Thompson exploration; only honoured outside production (simulation, shadow mode) */
  explore?: boolean;
  /** extra seed mixed into the sampler */
  seed?: number;
  samples?: number;
}

export class BanditPolicy implements Policy {
  readonly version: string;
  constructor(
    readonly model: BanditModel,
    private readonly opts: BanditOptions = {},
  ) {
    this.version = model.version;
  }

  decide(input: PolicyInput): Decision {
    const m = this.model;
    const key = m.featureNames.map((n) => (input.features[n] ?? 0).toFixed(4)).join(',');
    const seed = hashSeed(`${m.version}|${this.opts.seed ?? 0}|${input.analysis.at}|${key}`);
    const post = posterior(m, input.features, seed, this.opts.samples ?? 512);
    const explore = this.opts.explore === true && input.environment !== 'production';
    let action: Action;
    let propensity: number;
    if (explore) {
      // one Thompson draw: the chance of choosing each action is its P(best)
      const u = seededRandom(seed ^ 0x9e3779b9)();
      let acc = 0;
      action = 'continue';
      for (const a of ACTIONS) {
        acc += post.pBest[a];
        if (u < acc) {
          action = a;
          break;
        }
      }
      propensity = Math.max(post.pBest[action], 1 / (this.opts.samples ?? 512));
    } else {
      action = ACTIONS.reduce((a, b) => (post.mean[b] > post.mean[a] ? b : a));
      if (action !== 'continue' && post.pBest[action] < m.actThreshold) action = 'continue';
      propensity = 1;
    }
    const confidence = round3(calibrate(m, post.pBest[action]));
    return {
      action,
      confidence,
      reasons: explain(m, post, action, input.features),
      policyVersion: m.version,
      propensity,
      scores: Object.fromEntries(ACTIONS.map((a) => [a, round3(post.pBest[a])])) as Record<Action, number>,
    };
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** The features that moved the decision most (chosen vs runner-up), then the most similar incidents. */
export function explain(m: BanditModel, post: Posterior, action: Action, features: Features, top = 3): string[] {
  const c = compile(m);
  const rival = ACTIONS.filter((a) => a !== action).reduce((a, b) => (post.mean[b] > post.mean[a] ? b : a));
  const diff = c.mean[action].map((v, i) => v - c.mean[rival][i]);
  const nf = m.featureNames.length;
  const contrib = m.featureNames.map((name, j) => {
    let v = diff[1 + j] * post.x[1 + j];
    if (m.hinge) v += diff[1 + nf + j] * post.x[1 + nf + j];
    return { name, v };
  });
  contrib.sort((a, b) => b.v - a.v);
  const out = contrib
    .filter((c2) => c2.v > 0.01)
    .slice(0, top)
    .map((c2) => `${c2.name}=${fmt(features[c2.name])} favours ${action} over ${rival} (+${c2.v.toFixed(2)})`);
  for (const s of similar(m, post.z, 2)) out.push(`similar past incident ${s.id}: ${s.action} (reward ${s.reward >= 0 ? '+' : ''}${s.reward.toFixed(2)}${s.label ? ', ' + s.label : ''})`);
  return out;
}

export function similar(m: BanditModel, z: readonly number[], k: number): MemoryItem[] {
  return m.memory
    .map((it) => ({ it, d: it.z.reduce((s, v, i) => s + (v - (z[i] ?? 0)) ** 2, 0) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, k)
    .map((x) => x.it);
}

function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** Add an incident to the memory of similar cases (keeps the newest MEMORY_CAP). */
export function remember(m: BanditModel, item: MemoryItem): void {
  m.memory.push({ ...item, z: item.z.map((v) => Math.round(v * 1000) / 1000) });
  if (m.memory.length > MEMORY_CAP) m.memory.splice(0, m.memory.length - MEMORY_CAP);
}
