// Policy versions kept in the Store's small key-value state: every online update is a new version
// (its weights, the range of experience it learned from, and its metrics); one version is active;
// any version can be inspected, compared with another and made active again (rollback).
//
// State keys: 'policy:index' → VersionIndex; 'policy:model:<version>' → BanditModel;
// 'policy:log' → the decisions logged for off-policy evaluation (bounded).
import type { Action, Decision, Features, Outcome } from '../core/types.js';
import { ACTIONS } from '../core/types.js';
import type { Store } from '../core/store.js';
import { coefficientNames, compile, type BanditModel } from './bandit.js';
import { experienceFromOutcome, learn, type Experience } from './learn.js';
import { promotionCheck, type LoggedDecision } from './ope.js';

export interface VersionMeta {
  version: string;
  parent?: string;
  /** epoch ms */
  createdAt: number;
  kind: 'prior' | 'online' | 'import';
  /** the experience it learned from */
  training: { from?: number; to?: number; count: number; description: string };
  metrics: Record<string, number>;
  /** its weights were dropped (KEEP_MODELS); what it learned from and its metrics stay */
  pruned?: boolean;
}

export interface VersionIndex {
  active: string;
  versions: VersionMeta[];
  /** activations in order, for the audit: [epoch ms, version, why] */
  history: Array<[number, string, string]>;
}

export type StateStore = Pick<Store, 'getState' | 'setState'>;

const INDEX = 'policy:index';
const LOG = 'policy:log';
const LOG_CAP = 5000;
/**
 * Model bodies kept: the newest KEEP_MODELS versions, every prior and import, and the active one.
 * Every outcome is a version and a model is 150–450 KB, so a busy service would otherwise add
 * hundreds of megabytes a year; an older online update keeps its entry in the index (what it learned
 * from, its metrics, when it was active) but can no longer be inspected in full or made active.
 */
export const KEEP_MODELS = 100;
const modelKey = (v: string): string => `policy:model:${v}`;

export interface Comparison {
  a: VersionMeta;
  b: VersionMeta;
  /** per action: how many rewards each learned from */
  samples: Record<Action, [number, number]>;
  /** features whose weight changed most (summed over actions), largest first */
  changed: Array<{ feature: string; action: Action; a: number; b: number; delta: number }>;
  metrics: Record<string, [number | undefined, number | undefined]>;
}

export class PolicyVersions {
  constructor(private readonly store: StateStore) {}

  async index(): Promise<VersionIndex | undefined> {
    return this.store.getState<VersionIndex>(INDEX);
  }

  async list(): Promise<VersionMeta[]> {
    return (await this.index())?.versions ?? [];
  }

  async get(version: string): Promise<{ meta: VersionMeta; model: BanditModel } | undefined> {
    const idx = await this.index();
    const meta = idx?.versions.find((v) => v.version === version);
    if (!meta || meta.pruned) return undefined;
    const model = await this.store.getState<BanditModel>(modelKey(version));
    return model ? { meta, model } : undefined;
  }

  /** Why get(version) found nothing, in words for an API or CLI user. */
  async missing(version: string): Promise<string> {
    const meta = (await this.list()).find((v) => v.version === version);
    return meta?.pruned ? `policy version '${version}' was pruned: only the newest ${KEEP_MODELS} versions, priors and imports keep their weights` : `unknown policy version '${version}'`;
  }

  async active(): Promise<{ meta: VersionMeta; model: BanditModel } | undefined> {
    const idx = await this.index();
    return idx ? this.get(idx.active) : undefined;
  }

  /** Store the shipped prior as the first version when nothing is stored yet; returns the active one. */
  async ensurePrior(prior: BanditModel, now: number, metrics: Record<string, number> = {}): Promise<{ meta: VersionMeta; model: BanditModel }> {
    const cur = await this.active();
    if (cur) return cur;
    const meta: VersionMeta = { version: prior.version, createdAt: now, kind: 'prior', training: { count: 0, description: 'shipped prior trained on simulated incidents' }, metrics };
    await this.store.setState(modelKey(prior.version), prior);
    await this.store.setState<VersionIndex>(INDEX, { active: prior.version, versions: [meta], history: [[now, prior.version, 'prior installed']] });
    return { meta, model: prior };
  }

  /** Save a new version (and make it active unless told otherwise). */
  async save(model: BanditModel, meta: Omit<VersionMeta, 'version' | 'createdAt'>, now: number, activate = true): Promise<VersionMeta> {
    const idx = (await this.index()) ?? { active: model.version, versions: [], history: [] };
    if (idx.versions.some((v) => v.version === model.version)) throw new Error(`policy version ${model.version} already exists`);
    const full: VersionMeta = { ...meta, version: model.version, createdAt: now };
    await this.store.setState(modelKey(model.version), model);
    idx.versions.push(full);
    if (activate) {
      idx.active = model.version;
      idx.history.push([now, model.version, meta.kind === 'online' ? 'online update' : meta.kind]);
    }
    const drop = idx.versions.slice(0, -KEEP_MODELS).filter((v) => v.kind === 'online' && !v.pruned && v.version !== idx.active);
    // the index is written before the bodies go, so no version is ever listed as whole without its weights
    for (const v of drop) v.pruned = true;
    await this.store.setState(INDEX, idx);
    for (const v of drop) await this.store.setState(modelKey(v.version), undefined); // undefined deletes the key
    return full;
  }

  /** Make an earlier (or any stored) version active again. */
  async rollback(version: string, now: number, why = 'rollback'): Promise<VersionMeta> {
    const idx = await this.index();
    const meta = idx?.versions.find((v) => v.version === version);
    if (!idx || !meta || meta.pruned) throw new Error(await this.missing(version));
    idx.active = version;
    idx.history.push([now, version, why]);
    await this.store.setState(INDEX, idx);
    return meta;
  }

  /** The next version name after the stored ones: bandit-v2, bandit-v3, … */
  async nextVersion(): Promise<string> {
    const n = (await this.list()).length;
    return `bandit-v${n + 1}`;
  }

  async compare(a: string, b: string): Promise<Comparison> {
    const va = await this.get(a);
    const vb = await this.get(b);
    if (!va) throw new Error(await this.missing(a));
    if (!vb) throw new Error(await this.missing(b));
    const ca = compile(va.model).mean;
    const cb = compile(vb.model).mean;
    const changed: Comparison['changed'] = [];
    // coefficients by what they stand for (a feature, or a prototype state of a local residual)
    const names = coefficientNames(va.model);
    const namesB = coefficientNames(vb.model);
    for (const act of ACTIONS) {
      names.forEach((feature, j) => {
        if (namesB[j] !== feature || feature === 'intercept') return;
        const x = ca[act][j];
        const y = cb[act][j];
        changed.push({ feature, action: act, a: round(x), b: round(y), delta: round(y - x) });
      });
    }
    changed.sort((p, q) => Math.abs(q.delta) - Math.abs(p.delta));
    const keys = new Set([...Object.keys(va.meta.metrics), ...Object.keys(vb.meta.metrics)]);
    return {
      a: va.meta,
      b: vb.meta,
      samples: Object.fromEntries(ACTIONS.map((x) => [x, [va.model.arms[x].n, vb.model.arms[x].n]])) as Record<Action, [number, number]>,
      changed: changed.slice(0, 12),
      metrics: Object.fromEntries([...keys].map((k) => [k, [va.meta.metrics[k], vb.meta.metrics[k]]])),
    };
  }

  /** Decisions logged with propensities and rewards (for off-policy evaluation and export). */
  async logged(): Promise<Array<LoggedDecision & { at: number; id: string; version: string }>> {
    return (await this.store.getState<Array<LoggedDecision & { at: number; id: string; version: string }>>(LOG)) ?? [];
  }

  /**
   * The learning stage: log the rewarded decision, make a candidate with one online update, check
   * it off-policy against the active version on the logged history, and store it as a new version
   * (active when the check passes). Returns the new version's metadata and whether it is active.
   */
  async learnFromExperience(exp: Experience & { at: number; propensity?: number }, now: number): Promise<{ meta: VersionMeta; promoted: boolean; reason: string }> {
    const cur = await this.active();
    if (!cur) throw new Error('no policy version stored (call ensurePrior first)');
    const log = await this.logged();
    log.push({ features: exp.features, action: exp.action, propensity: exp.propensity ?? 1, reward: exp.reward, at: exp.at, id: exp.id, version: cur.meta.version });
    if (log.length > LOG_CAP) log.splice(0, log.length - LOG_CAP);
    await this.store.setState(LOG, log);
    const version = await this.nextVersion();
    const candidate = learn(cur.model, [exp], version);
    const verdict = promotionCheck(log, candidate, cur.model);
    const meta = await this.save(
      candidate,
      {
        parent: cur.meta.version,
        kind: 'online',
        training: { from: Math.min(cur.meta.training.from ?? exp.at, exp.at), to: exp.at, count: cur.meta.training.count + 1, description: `${cur.meta.version} + outcome of ${exp.id} (${exp.action}, reward ${exp.reward.toFixed(2)})` },
        metrics: { reward: exp.reward, ope_dr: round(verdict.candidate.dr), ope_ips: round(verdict.candidate.ips), ope_n: verdict.candidate.n },
      },
      now,
      verdict.promote,
    );
    return { meta, promoted: verdict.promote, reason: verdict.reason };
  }
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}


/** What the loop's outcome hook hands the learning stage (structurally WatchHooks.outcome's context). */
export interface LearningContext {
  deployment: { id: string; at: number };
  outcome: Outcome;
  /** the decision the outcome judged, with the features it was made on */
  decision?: { at: number; features?: Features; decision: Decision };
}

/**
 * The learning stage: each verified outcome becomes a reward and a new stored version; when the
 * off-policy check promotes it, `onPromoted` hands the new model to whoever builds the policy.
 * Errors propagate to the loop's hook runner, which reports them without breaking the watch.
 */
export class LearningStage {
  constructor(
    private readonly versions: PolicyVersions,
    private readonly clock: { now(): number },
    private readonly onPromoted?: (model: BanditModel) => void,
  ) {}

  async outcome(ctx: LearningContext): Promise<VersionMeta | undefined> {
    const d = ctx.decision;
    if (!d?.features) return undefined; // nothing to learn from without the features it decided on
    const exp = experienceFromOutcome({ deploymentId: ctx.deployment.id, features: d.features, outcome: ctx.outcome, minutesWaited: Math.max(0, (d.at - ctx.deployment.at) / 60_000) });
    const r = await this.versions.learnFromExperience({ ...exp, at: d.at, ...(d.decision.propensity !== undefined ? { propensity: d.decision.propensity } : {}) }, this.clock.now());
    if (r.promoted) {
      const stored = await this.versions.get(r.meta.version);
      if (stored) this.onPromoted?.(stored.model);
    }
    return r.meta;
  }
}
