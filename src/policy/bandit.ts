// The learning policy: a contextual bandit with Thompson sampling over one Bayesian linear
// regression per action. The prior mean of each action's reward is the transparent scoring
// policy's judgement (expert-prior.ts: its calibrated probabilities turned into expected rewards);
// the regression learns a residual θₐ·x on top (Gaussian prior, conjugate updates) from verified
// outcomes online. Training (train.ts) gives the residual its support: simulated incidents count as
// outcomes that agreed with the expert, so its precision is high where the simulator saw many.
// Why this model: its posterior is exact and cheap to update one outcome at a time, every number
// in it can be inspected, a linear residual is easy to explain feature by feature, and it starts as
// good as the best judgement we have instead of having to rediscover it from data that differs
// from production.
//
// - Two things are uncertain: what is really going on (the expert's probability for each action
//   being the right one) and the residual (its Gaussian posterior). `confidence` is the posterior
//   probability that the chosen action is the best one over both, estimated by seeded sampling and
//   passed through a monotone calibration map fitted on held-out simulated incidents (train.ts).
// - Production never explores: outside simulation/shadow mode the action is the posterior-mean best
//   (greedy, propensity 1), and a non-continue action needs P(best) ≥ actThreshold. Thompson draws
//   (exploration) happen only when the policy is built with `explore: true` and the environment is
//   not production.
// - Deterministic given the seed: the sampler is seeded from the model version and the features.
// - Models without `expert` (older stored versions, small synthetic tests) have a zero prior mean
//   and sample the reward noise too, as the first version of this policy did.
import type { Action, Decision, Features, Policy, PolicyInput } from '../core/types.js';
import { ACTIONS } from '../core/types.js';
import { hashSeed, normal, seededRandom } from '../core/random.js';
import { expertOffsets, expertView, withCauseEvidence, type ExpertView, type RewardMatrix } from './expert-prior.js';
import { addOuter, cholesky, cholSolve, dot, identity, invQuad, type Matrix } from './linalg.js';

export { CAUSE_FEATURES, withCauseEvidence } from './expert-prior.js';

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
  /** the prior mean: the scoring policy's expected reward per action (expert-prior.ts) */
  expert?: { policy: string; rewards: RewardMatrix };
  /**
   * Local residual: the basis is one Gaussian bump per prototype incident state (in standardized
   * feature space) instead of [1, z]. A correction learned from outcomes then applies to incidents
   * that look like those it was learned from and fades to zero (back to the prior mean) elsewhere:
   * outcomes of one kind of incident cannot shift the decisions on unrelated ones, as a global
   * linear residual did (200 dependency-outage outcomes turned canary regressions into escalations).
   */
  rbf?: Prototypes;
}

export interface Prototypes {
  centers: number[][];
  /** bump width in standardized units */
  width: number;
  /** what each prototype mostly was in training (for explanations) */
  labels: string[];
  /** prior precision of the weight of a prototype added online (coverNovelState) */
  newPrecision?: number;
}

export const MEMORY_CAP = 300;

export function basisSize(nFeatures: number, hinge: boolean): number {
  return 1 + nFeatures * (hinge ? 2 : 1);
}

/** Standardized features z and the regression basis x = [1, z, (hinges)], or the prototype bumps. */
export function basis(model: Pick<BanditModel, 'featureNames' | 'center' | 'scale' | 'hinge' | 'rbf'>, raw: Features): { x: number[]; z: number[] } {
  const f = model.featureNames.includes('ev_regression') ? withCauseEvidence(raw) : raw;
  const z = model.featureNames.map((name, i) => {
    const v = f[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) return 0; // missing → the average case
    const s = (v - model.center[i]) / (model.scale[i] || 1);
    return Math.max(-6, Math.min(6, s));
  });
  if (model.rbf) return { x: bumps(model.rbf, z), z };
  const x = [1, ...z];
  if (model.hinge) for (const v of z) x.push(Math.max(0, v - 1));
  return { x, z };
}

export function bumps(p: Prototypes, z: readonly number[]): number[] {
  const k = 1 / (2 * p.width * p.width);
  return p.centers.map((c) => {
    let d = 0;
    for (let i = 0; i < c.length; i++) d += (z[i] - c[i]) ** 2;
    const v = Math.exp(-d * k);
    return v < 1e-6 ? 0 : v;
  });
}

/** What each regression coefficient stands for (version comparisons). */
export function coefficientNames(m: Pick<BanditModel, 'featureNames' | 'hinge' | 'rbf'>): string[] {
  if (m.rbf) return m.rbf.labels.map((l, i) => `near prototype ${i + 1} (${l})`);
  return ['intercept', ...m.featureNames, ...(m.hinge ? m.featureNames.map((n) => `${n} (hinge)`) : [])];
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
  rbf?: Prototypes;
}): BanditModel {
  const hinge = opts.hinge ?? true;
  const d = opts.rbf ? opts.rbf.centers.length : basisSize(opts.featureNames.length, hinge);
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
    ...(opts.rbf ? { rbf: opts.rbf } : {}),
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
  /** posterior mean reward per action (expert prior mean + residual) */
  mean: Record<Action, number>;
  /** posterior-predictive variance per action (residual uncertainty + reward noise) */
  variance: Record<Action, number>;
  /** P(action has the highest reward), estimated by sampling */
  pBest: Record<Action, number>;
  x: number[];
  z: number[];
  /** the scoring policy's view, when the model uses it as its prior mean */
  expert?: ExpertView;
}

const ZERO: Record<Action, number> = { continue: 0, rollback: 0, scale_up: 0, escalate: 0 };

/** The prior-mean reward of every action, that the residual regression is fitted around. */
export function priorMeans(model: BanditModel, features: Features): Record<Action, number> {
  return model.expert ? expertOffsets(model.expert.rewards, expertView(features).p) : ZERO;
}

/** Posterior mean reward of every action (the greedy policy and off-policy evaluation use it). */
export function expectedRewards(model: BanditModel, features: Features): Record<Action, number> {
  const c = compile(model);
  const { x } = basis(model, features);
  const off = priorMeans(model, features);
  return Object.fromEntries(ACTIONS.map((a) => [a, off[a] + dot(c.mean[a], x)])) as Record<Action, number>;
}

/** The action whose base + draw is highest (ties: the first in ACTIONS). */
function bestOf(base: Record<Action, number>, draw: Record<Action, number>): Action {
  let best: Action = 'continue';
  let bestV = -Infinity;
  for (const a of ACTIONS) {
    const v = base[a] + draw[a];
    if (v > bestV) {
      bestV = v;
      best = a;
    }
  }
  return best;
}

export function posterior(model: BanditModel, features: Features, seed: number, samples = 512): Posterior {
  const c = compile(model);
  const { x, z } = basis(model, features);
  const view = model.expert ? expertView(features) : undefined;
  const off = view && model.expert ? expertOffsets(model.expert.rewards, view.p) : ZERO;
  const resid = {} as Record<Action, number>;
  const mean = {} as Record<Action, number>;
  const sd = {} as Record<Action, number>;
  const variance = {} as Record<Action, number>;
  for (const a of ACTIONS) {
    resid[a] = dot(c.mean[a], x);
    mean[a] = off[a] + resid[a];
    const paramVar = invQuad(c.chol[a], x);
    variance[a] = paramVar + model.arms[a].noiseVar;
    // With the expert prior, "which action is best" is uncertain through the situation (its
    // probabilities, summed over exactly below) and the residual's parameters (sampled), not through
    // one tick's reward noise. Without it, the reward noise is sampled as before.
    sd[a] = Math.sqrt(view ? paramVar : variance[a]);
  }
  const rand = seededRandom(seed);
  const wins: Record<Action, number> = { continue: 0, rollback: 0, scale_up: 0, escalate: 0 };
  const draw = {} as Record<Action, number>;
  for (let s = 0; s < samples; s++) {
    for (const a of ACTIONS) draw[a] = resid[a] + sd[a] * normal(rand);
    if (view && model.expert) {
      // Rao-Blackwellized over the situation: P(best) = Σ_b P(b right) · P(a best | b, θ draws)
      for (const b of ACTIONS) {
        if (view.p[b] <= 0) continue;
        wins[bestOf(model.expert.rewards[b], draw)] += view.p[b];
      }
    } else {
      wins[bestOf(off, draw)]++;
    }
  }
  const pBest = {} as Record<Action, number>;
  for (const a of ACTIONS) pBest[a] = wins[a] / samples;
  return { mean, variance, pBest, x, z, ...(view ? { expert: view } : {}) };
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
  /**
   * Explore only where a decision is in play: the greedy choice acts, or P(continue is best) is
   * below this (default 0.9). A deploy that looks fine is never acted on at random, in staging
   * either, and outcomes of such random acts would only teach how often incidents happen in the
   * family being watched, not what to do about them.
   */
  exploreBelow?: number;
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
    const greedy = ACTIONS.reduce((a, b) => (post.mean[b] > post.mean[a] ? b : a));
    const inPlay = greedy !== 'continue' || post.pBest.continue < (this.opts.exploreBelow ?? 0.9);
    const explore = this.opts.explore === true && input.environment !== 'production' && inPlay;
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
      action = greedy;
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

/**
 * Why: the evidence behind the expert prior's view (each names the feature that moved it), then the
 * learned corrections that moved the decision most (chosen vs runner-up), then the most similar
 * past incidents.
 */
export function explain(m: BanditModel, post: Posterior, action: Action, features: Features, top = 3): string[] {
  const c = compile(m);
  // against the evidence's own choice when what was learned overrode it, else the runner-up
  const overridden = post.expert && post.expert.decision.action !== action ? post.expert.decision.action : undefined;
  const rival = overridden ?? ACTIONS.filter((a) => a !== action).reduce((a, b) => (post.mean[b] > post.mean[a] ? b : a));
  const out: string[] = [];
  if (post.expert) {
    const d = post.expert.decision;
    if (d.action === action) out.push(...d.reasons.slice(0, top));
    else out.push(`the evidence alone points to ${d.action} (${d.confidence.toFixed(2)}); what was learned from outcomes favours ${action}`, ...d.reasons.slice(0, 2));
  }
  const diff = c.mean[action].map((v, i) => v - c.mean[rival][i]);
  let learned: string[];
  if (m.rbf) {
    const labels = m.rbf.labels;
    learned = diff
      .map((d, k) => ({ k, v: d * post.x[k] }))
      .filter((e) => e.v > 0.02)
      .sort((a, b) => b.v - a.v)
      .slice(0, top)
      .map((e) => `learned from outcomes of incidents like this one (prototype ${e.k + 1}, mostly ${labels[e.k]}): favours ${action} over ${rival} (+${e.v.toFixed(2)})`);
  } else {
    const nf = m.featureNames.length;
    const contrib = m.featureNames.map((name, j) => {
      let v = diff[1 + j] * post.x[1 + j];
      if (m.hinge) v += diff[1 + nf + j] * post.x[1 + nf + j];
      return { name, v };
    });
    contrib.sort((a, b) => b.v - a.v);
    learned = contrib
      .filter((c2) => c2.v > (post.expert ? 0.02 : 0.01))
      .slice(0, top)
      .map((c2) => `${post.expert ? 'learned: ' : ''}${c2.name}=${fmt(features[c2.name])} favours ${action} over ${rival} (+${c2.v.toFixed(2)})`);
  }
  if (post.expert) out.push(...learned);
  else out.unshift(...learned);
  for (const s of similar(m, post.z, 2)) out.push(`similar past incident ${s.id}: ${s.action} (reward ${s.reward >= 0 ? '+' : ''}${s.reward.toFixed(2)}${s.label ? ', ' + s.label : ''})`);
  return out;
}

/**
 * Learn one (features, action, reward): the residual of the acted-on action moves towards the
 * reward minus its prior mean. In place; returns the standardized features (for the memory).
 */
export function observe(m: BanditModel, features: Features, action: Action, reward: number, weight = 1, label?: string): number[] {
  const first = basis(m, features);
  const z = first.z;
  // with a new prototype the basis gains its bump; the standardized features stay the same
  const x = m.rbf && coverNovelState(m, m.rbf, z, first.x, label ?? action) ? bumps(m.rbf, z) : first.x;
  updateArm(m.arms[action], x, reward - priorMeans(m, features)[action], weight);
  return z;
}

/**
 * A state no prototype covers (every bump below NOVEL_BELOW) gets a prototype of its own before an
 * outcome there is learned: with fixed prototypes such a state has an all-zero basis, so nothing
 * could ever be learned about it (a dependency outage whose errors began 11 minutes after the deploy
 * sat 0.02 from the nearest of 64 prototypes, and 200 outcomes of its family changed nothing). The
 * new weight starts at the residual's prior (mean 0: the expert's view), so the model's
 * predictions do not change until outcomes move it, and, being local, it moves only incidents that
 * look like this one. Bounded by MAX_PROTOTYPES (each adds a row and column to every arm's
 * precision matrix, stored with every version).
 */
export const NOVEL_BELOW = 0.3;
export const MAX_PROTOTYPES = 192;
export const DEFAULT_NEW_PRECISION = 10;

function coverNovelState(m: BanditModel, p: Prototypes, z: readonly number[], x: readonly number[], label: string): boolean {
  if (p.centers.length >= MAX_PROTOTYPES || x.some((v) => v >= NOVEL_BELOW)) return false;
  p.centers.push(z.map((v) => Math.round(v * 1e4) / 1e4));
  p.labels.push(`learned online, first seen as ${label}`);
  const lambda = p.newPrecision ?? DEFAULT_NEW_PRECISION;
  for (const a of ACTIONS) {
    const arm = m.arms[a];
    for (const row of arm.precision) row.push(0);
    arm.precision.push([...new Array<number>(p.centers.length - 1).fill(0), lambda]);
    arm.b.push(0);
  }
  compiledCache.delete(m);
  return true;
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
