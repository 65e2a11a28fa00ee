// Per-service thresholds (config `services.<name>.thresholds`, per environment too): absolute
// limits the operator sets ("error rate above 2% is unhealthy here, whatever it was before").
// Pure. A metric whose recent samples after the warm-up sit above its limit becomes a `threshold`
// finding the summary shows. Missing data never breaches: a metric with too few samples after
// the warm-up says nothing.
//
// What a breach does to the decision, and why only that: a limit says the service is unhealthy,
// not that the deploy made it so (it may have been above before, or a dependency may be down), so
// a breach never rolls back or scales up on its own: those stay the policy's, judged on the
// before/after evidence. But "continue" would mean "healthy" against the operator's own
// definition, so a breach turns a `continue` into `escalate` (a person is asked), with the breach
// as its reason. Its confidence is the chance the breach persists, by the rule of succession
// over the recent samples ((k+1)/(n+2): 5 of 5 above → 0.86), so the guardrails' confidence
// thresholds apply to it as to any decision. The policy never sees the breach (its features and
// analysis are the same as without thresholds) and does not learn from the outcome of an action
// it did not choose (`Decision.overriddenBy`).
import type { Decision, DeploymentSpec, Finding, SeriesMap } from '../core/types.js';
import { fmtMetric, metricLabel } from './analyze.js';
import { median } from './stats.js';

/** Upper limits by metric name (the standard metrics; `restarts` counts restarts since the deploy). */
export type Thresholds = Readonly<Partial<Record<string, number>>>;

export interface ThresholdInput {
  deployment: DeploymentSpec;
  metrics: SeriesMap;
  thresholds: Thresholds;
  /** epoch ms: only data up to here is used */
  now: number;
  stepSeconds: number;
}

/** samples judged: the newest this many after the warm-up */
const RECENT = 5;
/** fewer than this after the warm-up: not enough to say (a single sample is not a breach) */
const MIN_SAMPLES = 3;
/** the same warm-up as the analysis (analyze.ts DEFAULT_ANALYZE_OPTIONS) */
const WARMUP_STEPS = 3;
const WARMUP_MIN_MS = 45_000;

export function thresholdFindings(input: ThresholdInput): Finding[] {
  const { deployment, now } = input;
  const settled = deployment.at + Math.max(WARMUP_STEPS * input.stepSeconds * 1000, WARMUP_MIN_MS);
  const out: Finding[] = [];
  for (const [metric, limit] of Object.entries(input.thresholds)) {
    if (limit === undefined || !Number.isFinite(limit)) continue;
    const pts = (Object.hasOwn(input.metrics, metric) ? (input.metrics[metric] ?? []) : []).filter((p) => p[0] <= now && Number.isFinite(p[1]));
    const before = pts.filter((p) => p[0] < deployment.at).map((p) => p[1]);
    // restarts is a cumulative counter: its limit is on the restarts since the deploy
    const base = metric === 'restarts' ? (before.length ? Math.max(...before) : undefined) : 0;
    if (base === undefined) continue;
    const recent = pts.filter((p) => p[0] >= settled).slice(-RECENT).map((p) => p[1] - base);
    if (recent.length < MIN_SAMPLES) continue;
    const level = median(recent);
    if (!(level > limit)) continue;
    const above = recent.filter((v) => v > limit).length;
    const beforeLevel = before.length && metric !== 'restarts' ? median(before) : undefined;
    const already = beforeLevel !== undefined && beforeLevel > limit;
    const fmt = (v: number): string => fmtMetric(metric, v);
    out.push({
      id: `threshold:${metric}`,
      kind: 'threshold',
      subject: metric,
      // a breach is the operator's own "unhealthy"; less news when it predates the deploy
      severity: (already ? 0.45 : 0.6) + 0.3 * (above / recent.length),
      direction: 'up',
      comparison: 'none',
      stats: {
        threshold: limit,
        recent_median: level,
        samples_above: above,
        samples: recent.length,
        ...(beforeLevel !== undefined ? { before_median: beforeLevel, breached_before: already ? 1 : 0 } : {}),
      },
      text:
        `${metric === 'restarts' ? 'Restarts since the deploy' : metricLabel(metric)} ${fmt(level)} is above this service's threshold of ${fmt(limit)} (${above} of the last ${recent.length} samples)` +
        (beforeLevel !== undefined ? (already ? `, and was above it before the deploy (${fmt(beforeLevel)})` : `; ${fmt(beforeLevel)} before the deploy`) : ''),
    });
  }
  return out.sort((a, b) => b.severity - a.severity || a.id.localeCompare(b.id));
}

/**
 * The decision with the breaches applied: a `continue` becomes `escalate` (see the top of this
 * file); any other action stays the policy's, with the breaches added to its reasons.
 */
export function applyThresholds(decision: Decision, breaches: readonly Finding[]): Decision {
  if (breaches.length === 0) return decision;
  const reasons = breaches.map((f) => f.text);
  if (decision.action !== 'continue') return { ...decision, reasons: [...decision.reasons, ...reasons] };
  const worst = breaches[0];
  return {
    ...decision,
    action: 'escalate',
    confidence: (worst.stats.samples_above + 1) / (worst.stats.samples + 2),
    reasons: [...reasons, `the policy alone would continue (${decision.reasons[0] ?? 'no harmful change found'})`],
    propensity: 1,
    overriddenBy: 'thresholds',
  };
}

