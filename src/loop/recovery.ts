// Verify: did health recover after an action? Pure. It reuses the same analysis as the watch,
// comparing the time after the action took effect against the pre-deploy baseline (the
// incident period in between is left out), so "recovered" means "looks like before the deploy".
import type { Point, SeriesMap, SignalBundle, DeploymentSpec, Policy } from '../core/types.js';
import { evaluateTick } from './pipeline.js';

export interface RecoveryInput {
  deployment: DeploymentSpec;
  bundle: SignalBundle;
  /** epoch ms the action finished */
  actionAt: number;
  /** time for the action to take effect before judging, ms */
  graceMs: number;
  now: number;
  stepSeconds: number;
  policy: Policy;
  evaluate?: typeof evaluateTick;
}

export interface RecoveryVerdict {
  recovered: boolean;
  detail: string;
  /** false when there is not enough data to say */
  verifiable: boolean;
}

const IGNORED = new Set(['load_change', 'data_gap']);

export function judgeRecovery(input: RecoveryInput): RecoveryVerdict {
  const from = input.actionAt + input.graceMs;
  const keep = (t: number): boolean => t < input.deployment.at || t >= from;
  const cut = (m: SeriesMap | undefined): SeriesMap | undefined =>
    m && Object.fromEntries(Object.entries(m).map(([k, pts]) => [k, (pts ?? []).filter((p: Point) => keep(p[0]))]));
  const after = (input.bundle.metrics.error_rate ?? []).filter((p) => p[0] >= from).length +
    (input.bundle.metrics.latency_p95_ms ?? []).filter((p) => p[0] >= from).length;
  if (after === 0) return { recovered: false, verifiable: false, detail: 'cannot verify: no error-rate or latency data after the action' };
  const bundle: SignalBundle = {
    ...input.bundle,
    metrics: cut(input.bundle.metrics) ?? {},
    ...(input.bundle.baselineMetrics ? { baselineMetrics: cut(input.bundle.baselineMetrics) } : {}),
    logs: input.bundle.logs.filter((l) => keep(l.at)),
    spans: input.bundle.spans.filter((s) => keep(s.at)),
  };
  const r = (input.evaluate ?? evaluateTick)({ deployment: { ...input.deployment, at: from }, bundle, now: input.now, stepSeconds: input.stepSeconds, policy: input.policy });
  const serious = r.analysis.findings.filter((f) => !IGNORED.has(f.kind) && f.severity >= 0.5);
  if (r.decision.action === 'continue' || serious.length === 0) {
    // Said in terms of the comparison made (after the action vs before the deploy): the summary's
    // own headline would name the bad version ("no significant change since v2.1.0-throw") though
    // it is the one that was rolled back.
    const minor = r.analysis.findings.filter((f) => !IGNORED.has(f.kind) && f.severity > 0).map((f) => f.text);
    const since = new Date(from).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      recovered: true,
      verifiable: true,
      detail: `health back to pre-deploy levels: since ${since} the signals are within what the service did before the deploy${minor.length ? ` (minor: ${minor.slice(0, 2).join('; ')})` : ''}`,
    };
  }
  return { recovered: false, verifiable: true, detail: `still unhealthy after the action: ${serious.map((f) => f.text).slice(0, 2).join('; ')}` };
}
