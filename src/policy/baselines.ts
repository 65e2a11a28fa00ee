// The baselines the learning policy is measured against, on the same ticks:
// - Argo-Rollouts-style static thresholds: an AnalysisTemplate measuring error rate > 5 % or
//   p95 latency > 2× the pre-deploy median every minute, failureLimit 2 (the 3rd failed measurement
//   fails the rollout → rollback); a missing measurement counts as a failure, as Argo counts errors.
// - Kayenta-style judge: every 5 minutes a Mann-Whitney U test per metric (canary vs stable when
//   there is a canary, else after vs before), weighted score 0..100; < 75 fails (rollback),
//   75..95 is marginal (continue), ≥ 95 passes.
// - The oracle: the right action one step after the onset (reads the truth; evaluation only).
// They only roll back or continue (except the oracle), like the tools they imitate.
import type { Action, Decision, Point, SeriesMap } from '../core/types.js';
import type { ScenarioTruth } from '../core/scenario.js';
import { parseTime } from '../core/time.js';
import type { Decider, TickContext } from './episode.js';

function values(pts: readonly Point[] | undefined, from: number, to: number): number[] {
  return (pts ?? []).filter((p) => p[0] > from && p[0] <= to).map((p) => p[1]);
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function decision(action: Action, confidence: number, policyVersion: string, reasons: string[]): Decision {
  return { action, confidence, reasons, policyVersion, propensity: 1 };
}

/** Argo Rollouts AnalysisRun semantics, one instance per scenario (it counts failures). */
export function argoDecider(opts: { intervalSeconds?: number; failureLimit?: number } = {}): Decider {
  const interval = (opts.intervalSeconds ?? 60) * 1000;
  const limit = opts.failureLimit ?? 2;
  const state = new Map<string, { failures: number; lastMeasured: number }>();
  return {
    name: 'argo-thresholds',
    decide(ctx: TickContext): Decision {
      const dep = ctx.deployment.at;
      const st = state.get(ctx.scenarioId) ?? { failures: 0, lastMeasured: dep };
      state.set(ctx.scenarioId, st);
      if (ctx.now - st.lastMeasured >= interval) {
        const from = st.lastMeasured;
        st.lastMeasured = ctx.now;
        const err = values(ctx.bundle.metrics.error_rate, from, ctx.now);
        const lat = values(ctx.bundle.metrics.latency_p95_ms, from, ctx.now);
        const before = median(values(ctx.bundle.metrics.latency_p95_ms, dep - 30 * 60_000, dep));
        const e = err.length ? err[err.length - 1] : NaN;
        const l = lat.length ? lat[lat.length - 1] : NaN;
        const failed = !Number.isFinite(e) || !Number.isFinite(l) || e > 0.05 || (Number.isFinite(before) && l > 2 * before);
        if (failed) st.failures++;
      }
      if (st.failures > limit) return decision('rollback', 1, 'argo', [`${st.failures} failed measurements > failureLimit ${limit}`]);
      return decision('continue', 1, 'argo', []);
    },
  };
}

/** Two-sided Mann-Whitney U test, normal approximation with tie correction: z of `b` above `a`. */
export function mannWhitneyZ(a: readonly number[], b: readonly number[]): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < 3 || n2 < 3) return 0;
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tie = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[k] = r;
    const t = j - i + 1;
    tie += t ** 3 - t;
    i = j + 1;
  }
  let r2 = 0;
  all.forEach((x, i) => {
    if (x.g === 1) r2 += ranks[i];
  });
  const u2 = r2 - (n2 * (n2 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tie / (n * (n - 1))));
  return sigma > 0 ? (u2 - mu) / sigma : 0;
}

const KAYENTA_WEIGHTS: Record<string, number> = { error_rate: 0.4, latency_p95_ms: 0.4, cpu_utilization: 0.1, memory_bytes: 0.1 };

export function kayentaDecider(opts: { intervalSeconds?: number } = {}): Decider {
  const interval = (opts.intervalSeconds ?? 300) * 1000;
  return {
    name: 'kayenta-judge',
    decide(ctx: TickContext): Decision {
      const dep = ctx.deployment.at;
      const since = ctx.now - dep;
      const stepMs = ctx.stepSeconds * 1000;
      // judge at each full interval (the tick that crosses it)
      if (since < interval || since % interval >= stepMs) return decision('continue', 0.5, 'kayenta', []);
      let score = 0;
      const failed: string[] = [];
      for (const [metric, w] of Object.entries(KAYENTA_WEIGHTS)) {
        const exp: SeriesMap = ctx.bundle.metrics;
        const control = ctx.bundle.baselineMetrics
          ? values(ctx.bundle.baselineMetrics[metric], dep, ctx.now)
          : values(exp[metric], dep - 30 * 60_000, dep);
        const treat = values(exp[metric], dep, ctx.now);
        if (treat.length < 3) {
          failed.push(`${metric}: no data`);
          continue; // a metric without data cannot pass
        }
        const z = mannWhitneyZ(control, treat);
        // fail only on a significant increase (p < 0.05 one-sided) that is also ≥ 10 % in median
        const mc = median(control);
        const mt = median(treat);
        const big = mt > mc * 1.1 + (metric === 'error_rate' ? 0.001 : 0);
        if (z > 1.645 && big) failed.push(`${metric}: higher (z=${z.toFixed(1)})`);
        else score += w * 100;
      }
      score = Math.round(score);
      if (score < 75) return decision('rollback', Math.min(1, Math.max(0, 1 - score / 100)), 'kayenta', [`score ${score} < 75`, ...failed]);
      return decision('continue', score / 100, 'kayenta', [`score ${score}${score < 95 ? ' (marginal)' : ' (pass)'}`]);
    },
  };
}

/** The right action one step after the onset. Reads the truth: for evaluation only. */
export function oracleDecider(truths: Map<string, ScenarioTruth>): Decider {
  return {
    name: 'oracle',
    decide(ctx: TickContext): Decision {
      const t = truths.get(ctx.scenarioId);
      if (!t || t.bestAction === 'continue') return decision('continue', 1, 'oracle', []);
      const onset = t.onset ? parseTime(t.onset) : ctx.deployment.at;
      const due = Math.max(onset, ctx.deployment.at) + ctx.stepSeconds * 1000;
      if (ctx.now >= due) return decision(t.bestAction, 1, 'oracle', ['truth']);
      return decision('continue', 1, 'oracle', []);
    },
  };
}
