// Features: the numbers every policy decides on, extracted from one Analysis. Names are stable
// (the bandit and the exports depend on them); add new ones, do not rename.
//
// All features are finite numbers. Booleans are 0/1. "Bad" means a practical, significant change
// in the harmful direction (analysis/metric-judge.ts). Steps are the watch's tick length.
//
// | name                    | meaning                                                                    |
// |-------------------------|----------------------------------------------------------------------------|
// | minutes_since_deploy    | minutes from the deploy to this tick                                        |
// | canary                  | 1 when canary-vs-stable data was used                                       |
// | err_bad                 | error rate up, significant and practical (before/after)                     |
// | err_delta               | error-rate increase, absolute fraction (0 when not significant)             |
// | err_rel                 | error-rate relative change (capped at 100)                                   |
// | err_z                   | rank-test z of the error rate (signed)                                       |
// | err_sig_up              | error rate up significantly, even if below the practical floor               |
// | canary_err_sig_up       | canary error rate above stable significantly, even if small                  |
// | load_ratio_recent       | newest request rate / pre-deploy median (1 when unknown; context, no test)   |
// | lat_bad                 | p95 latency up, significant and practical                                   |
// | lat_rel                 | latency relative change (capped at 100)                                      |
// | cpu_bad                 | CPU up, significant and practical                                            |
// | cpu_rel                 | CPU relative change                                                          |
// | load_up                 | request rate up, significant and practical                                   |
// | load_down               | request rate down, significant and practical                                 |
// | load_rel                | request-rate relative change (capped at 100)                                 |
// | canary_err_bad          | canary's error rate above stable's (version-specific)                       |
// | canary_lat_bad          | canary's latency above stable's                                              |
// | canary_any_bad          | any canary-vs-stable health metric worse                                     |
// | spread_bad              | error or latency dispersion grew                                             |
// | restart_increase        | pod restarts since the deploy (only ≥2 reported)                             |
// | stable_restart_increase | restarts of the stable group (canary deploys)                                |
// | mem_leak                | memory climbing past its pre-deploy range                                    |
// | mem_ttl_min             | minutes until the memory limit at the current slope (capped at 10,000)       |
// | mem_stable_leak         | the stable group leaks too (not version-specific)                            |
// | log_new_error           | weighted count of significant NEW error/fatal templates                     |
// | log_new_warn            | significant NEW warn templates                                               |
// | log_spike_error         | error/fatal templates whose rate jumped                                      |
// | log_code                | occurrences of significant new/spiking templates describing a program fault |
// | log_dependency          | … describing a failing remote call (timeouts, refused, upstream)            |
// | log_capacity            | … describing overload (429, queue full, too many requests)                  |
// | log_config              | … naming a host/credential/setting only the new version uses                 |
// | log_telemetry           | … describing a broken telemetry pipeline                                     |
// | log_dependency_warn     | occurrences of significant new/spiking WARN templates naming a failing remote call (some clients only warn: "circuit breaker open") |
// | dep_share               | dependency occurrences / all error occurrences among significant templates |
// | code_share              | code-fault + new-config share of the same                                    |
// | cap_share               | capacity share of the same                                                   |
// | trace_bad               | operations whose error rate or latency got worse                            |
// | data_gap                | 1 when telemetry is missing after the deploy                                 |
// | gapped_metrics          | number of metrics with missing data                                          |
// | coverage_min            | lowest per-metric coverage since the deploy (1 when no data expected)        |
// | health_bad              | error, latency, restarts, leak, trace or canary health is bad                |
// | onset_steps             | earliest onset of a bad health finding, in steps after the deploy (−1: none) |
// | onset_in_warmup         | that onset fell in the first 3 steps                                         |
// | onset_minutes           | the same onset in minutes after the deploy (0 when before it, −1: none;     |
// |                         | capped at 60): steps differ between services, and a harm that begins many  |
// |                         | minutes after a deploy is less likely to be the deploy's doing               |
// | onset_before_deploy     | the health or load change had already started before the deploy             |
// | max_severity            | highest finding severity                                                     |
import type { Analysis, Features, Finding } from '../core/types.js';

export const FEATURE_NAMES = [
  'minutes_since_deploy',
  'canary',
  'err_bad',
  'err_delta',
  'err_rel',
  'err_z',
  'err_sig_up',
  'canary_err_sig_up',
  'load_ratio_recent',
  'lat_bad',
  'lat_rel',
  'cpu_bad',
  'cpu_rel',
  'load_up',
  'load_down',
  'load_rel',
  'canary_err_bad',
  'canary_lat_bad',
  'canary_any_bad',
  'spread_bad',
  'restart_increase',
  'stable_restart_increase',
  'mem_leak',
  'mem_ttl_min',
  'mem_stable_leak',
  'log_new_error',
  'log_new_warn',
  'log_spike_error',
  'log_code',
  'log_dependency',
  'log_capacity',
  'log_telemetry',
  'log_config',
  'log_dependency_warn',
  'dep_share',
  'code_share',
  'cap_share',
  'trace_bad',
  'data_gap',
  'gapped_metrics',
  'coverage_min',
  'health_bad',
  'onset_steps',
  'onset_in_warmup',
  'onset_minutes',
  'onset_before_deploy',
  'max_severity',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

const cap = (v: number, c: number): number => (Number.isFinite(v) ? Math.max(-c, Math.min(c, v)) : v > 0 ? c : -c);

function isBad(f: Finding | undefined): boolean {
  return !!f && f.direction === 'up' && f.stats.practical === 1 && f.stats.significant === 1;
}

/** Tick length in ms is recovered from the analysis when known; default 15 s. */
export function extractFeatures(analysis: Analysis, stepSeconds = 15): Features {
  const byId = new Map(analysis.findings.map((f) => [f.id, f]));
  const f: Record<FeatureName, number> = Object.fromEntries(FEATURE_NAMES.map((n) => [n, 0])) as Record<FeatureName, number>;
  f.minutes_since_deploy = Math.max(0, (analysis.at - analysis.deployAt) / 60_000);
  f.canary = analysis.canary ? 1 : 0;

  const err = byId.get('metric_shift:error_rate');
  if (err && err.stats.significant === 1) {
    f.err_z = err.stats.z ?? 0;
    if (isBad(err)) {
      f.err_bad = 1;
      f.err_delta = err.stats.delta ?? 0;
      f.err_rel = cap(err.stats.rel_change ?? 0, 100);
    }
  }
  const lat = byId.get('metric_shift:latency_p95_ms');
  if (isBad(lat)) {
    f.lat_bad = 1;
    f.lat_rel = cap(lat!.stats.rel_change ?? 0, 100);
  }
  const cpu = byId.get('metric_shift:cpu_utilization');
  if (isBad(cpu)) {
    f.cpu_bad = 1;
    f.cpu_rel = cap(cpu!.stats.rel_change ?? 0, 100);
  }
  const load = byId.get('load_change:request_rate');
  if (load && load.stats.practical === 1) {
    if (load.direction === 'up') f.load_up = 1;
    if (load.direction === 'down') f.load_down = 1;
    f.load_rel = cap(load.stats.rel_change ?? 0, 100);
  }
  const sigUp = (x: Finding | undefined): boolean => !!x && x.direction === 'up' && x.stats.significant === 1 && x.stats.sustained === 1;
  f.err_sig_up = sigUp(err) ? 1 : 0;
  // a canary above stable counts even when small, but not when it is small against where the stable
  // group is now (a few points on top of an outage's 20 % that hits both groups is the noise of two
  // samples of the same failure, not the version)
  const canaryErr = byId.get('metric_shift:error_rate:canary');
  f.canary_err_sig_up = sigUp(canaryErr) && (canaryErr!.stats.rel_change ?? 0) >= 0.25 ? 1 : 0;
  f.load_ratio_recent = byId.get('load_context:request_rate')?.stats.recent_ratio ?? 1;
  // Version-specific harm is the canary worse than the stable group AND worse than itself before
  // the deploy: a few canary samples above stable that stay within the canary's own pre-deploy
  // range are the small group's noise (fewer requests, coarser percentiles), not the new version.
  const canaryBad = (metric: string): boolean => {
    const own = byId.get(`metric_shift:${metric}`);
    return isBad(byId.get(`metric_shift:${metric}:canary`)) && !!own && own.direction === 'up' && own.stats.significant === 1;
  };
  f.canary_err_bad = canaryBad('error_rate') ? 1 : 0;
  f.canary_lat_bad = canaryBad('latency_p95_ms') ? 1 : 0;
  f.canary_any_bad = f.canary_err_bad || f.canary_lat_bad || canaryBad('cpu_utilization') ? 1 : 0;
  f.spread_bad = byId.has('metric_spread:error_rate') || byId.has('metric_spread:latency_p95_ms') ? 1 : 0;
  f.restart_increase = byId.get('restarts')?.stats.increase ?? 0;
  f.stable_restart_increase = byId.get('restarts:stable')?.stats.increase ?? 0;
  const mem = byId.get('metric_trend:memory_bytes');
  if (mem) {
    f.mem_leak = 1;
    f.mem_ttl_min = cap(mem.stats.time_to_limit_min ?? 10_000, 10_000);
    f.mem_stable_leak = mem.stats.stable_leaking ?? 0;
  } else f.mem_ttl_min = 10_000;

  let errOcc = 0;
  for (const x of analysis.findings) {
    if (x.kind !== 'log_new' && x.kind !== 'log_spike') continue;
    const w = x.stats.level_weight ?? 0;
    const n = x.stats.count_after;
    if (w >= 1) {
      if (x.kind === 'log_new') f.log_new_error += w;
      else f.log_spike_error += w;
      errOcc += n;
      if (x.stats.kind_code) f.log_code += n;
      if (x.stats.kind_dependency) f.log_dependency += n;
      if (x.stats.kind_capacity) f.log_capacity += n;
      if (x.stats.kind_config) f.log_config += n;
    } else {
      if (x.kind === 'log_new') f.log_new_warn += 1;
      if (w > 0 && x.stats.kind_dependency) f.log_dependency_warn += n;
    }
    if (x.stats.kind_telemetry) f.log_telemetry += n;
  }
  if (errOcc > 0) {
    f.dep_share = f.log_dependency / errOcc;
    f.code_share = (f.log_code + f.log_config) / errOcc;
    f.cap_share = f.log_capacity / errOcc;
  }
  f.trace_bad = analysis.findings.filter((x) => x.kind === 'trace_operation').length;
  const gap = analysis.findings.find((x) => x.id === 'data_gap:metrics');
  f.data_gap = gap ? 1 : 0;
  f.gapped_metrics = gap?.stats.gapped_metrics ?? 0;
  const covs = Object.values(analysis.coverage);
  f.coverage_min = covs.length ? Math.min(...covs) : 1;

  const healthIds = ['metric_shift:error_rate', 'metric_shift:latency_p95_ms', 'metric_shift:error_rate:canary', 'metric_shift:latency_p95_ms:canary'];
  const healthFindings = analysis.findings.filter(
    (x) => (healthIds.includes(x.id) && isBad(x)) || x.kind === 'metric_trend' || x.id === 'restarts' || x.kind === 'trace_operation',
  );
  f.health_bad = healthFindings.length > 0 ? 1 : 0;
  const onsets = healthFindings.map((x) => x.onset).filter((o): o is number => o !== undefined);
  const stepMs = stepSeconds * 1000;
  const sinceDeploy = onsets.length ? Math.max(0, Math.min(...onsets) - analysis.deployAt) : -1;
  f.onset_steps = sinceDeploy >= 0 ? sinceDeploy / stepMs : -1;
  f.onset_in_warmup = sinceDeploy >= 0 && f.onset_steps <= 3 ? 1 : 0;
  f.onset_minutes = sinceDeploy >= 0 ? Math.min(60, sinceDeploy / 60_000) : -1;
  f.onset_before_deploy = analysis.findings.some((x) => (x.stats.pre_shift_steps ?? 0) > 0 && (healthFindings.includes(x) || x.kind === 'load_change')) ? 1 : 0;
  f.max_severity = analysis.findings.reduce((m, x) => Math.max(m, x.severity), 0);
  return f;
}
