// The transparent scoring policy: hand-set evidence weights per cause, readable in one screen.
// It is the fallback and the baseline the learning policy (bandit) must beat; every reason it
// gives names the feature that moved it.
//
// Causes and what points to them (CONTRACTS.md):
//   deploy_regression → rollback : health worse AND tied to the new version (canary worse than
//                                  stable, new program-fault errors, crash loop, memory leak)
//   load_surge        → scale_up : traffic up a lot, overload errors, nothing version-specific
//   dependency_outage → escalate : errors name a failing remote call; rollback will not help
//   no_data           → escalate : telemetry lost; the outcome cannot be verified
//   none              → continue
import type { Action, Decision, Features, Policy, PolicyInput } from '../core/types.js';

interface Evidence {
  weight: number;
  reason: string;
}

/**
 * Saturating map from the evidence margin to the probability the action is right: 0 margin → 0.5
 * (a coin flip), capped at 0.97 (no judgment from telemetry is certain). The scale τ is fitted,
 * not guessed: with τ = 2.5 decisions right 98 % of the time were reported at 0.79–0.84
 * (under-confident, Brier 0.045 on H7's simulated families). τ = 1.0 is the cautious end of the
 * flat Brier optimum (0.7–1.0) on those simulated families, which are independent of the dev
 * scenarios the weights were set on; bench/judgment.ts prints the reliability table.
 */
const CONF_SCALE = 1.0;
function conf(strength: number): number {
  return Math.min(0.97, 0.5 + 0.47 * (1 - Math.exp(-strength / CONF_SCALE)));
}

export function scoreCauses(f: Features): { regression: Evidence[]; surge: Evidence[]; dependency: Evidence[]; noData: Evidence[] } {
  const regression: Evidence[] = [];
  const surge: Evidence[] = [];
  const dependency: Evidence[] = [];
  const noData: Evidence[] = [];
  const versionSpecificPossible = f.canary === 1;

  // --- regression ---
  if (f.err_bad) regression.push({ weight: 2 + Math.min(1, f.err_delta / 0.05), reason: `error rate up ${Math.round(f.err_delta * 1000) / 10} points after deploy (z=${f.err_z.toFixed(1)})` });
  if (f.lat_bad) regression.push({ weight: 2 + Math.min(1, f.lat_rel), reason: `p95 latency up ${Math.round(f.lat_rel * 100)}% after deploy` });
  if (f.restart_increase >= 2 && f.stable_restart_increase < 2)
    regression.push({ weight: 1.5 + Math.min(1, f.restart_increase / 5), reason: `${f.restart_increase} pod restarts since deploy` });
  if (f.mem_leak && !f.mem_stable_leak)
    regression.push({ weight: f.mem_ttl_min < 720 ? 2.5 : 1.2, reason: `memory leak, limit in ~${Math.round(f.mem_ttl_min)} min` });
  if (f.canary_any_bad) regression.push({ weight: 2.5, reason: 'canary worse than stable (version-specific)' });
  if (!f.err_bad && (f.err_sig_up || f.canary_err_sig_up) && f.log_new_error >= 1 && f.code_share >= 0.5)
    regression.push({ weight: 1, reason: 'error rate up (small) together with new faults' });
  if (f.log_new_error >= 1 && f.code_share >= 0.5) regression.push({ weight: 2, reason: `new program-fault errors since deploy (×${f.log_code})` });
  if (f.trace_bad) regression.push({ weight: 1, reason: `${f.trace_bad} traced operations worse` });

  // --- surge ---
  if (f.load_up && f.load_rel >= 0.5) surge.push({ weight: 2 + Math.min(1.5, f.load_rel / 2), reason: `request rate up ${Math.round(f.load_rel * 100)}%` });
  else if (f.load_ratio_recent >= 1.5 && (f.err_bad || f.lat_bad || f.cpu_bad))
    surge.push({ weight: 2 + Math.min(1.5, (f.load_ratio_recent - 1) / 2), reason: `request rate ×${f.load_ratio_recent.toFixed(1)} with latency/errors/CPU up` });
  if (surge.length && f.cap_share >= 0.3) surge.push({ weight: 1, reason: 'overload errors (429 / queue full / too many requests)' });
  if (surge.length && f.cpu_bad) surge.push({ weight: 0.5, reason: 'CPU up with the traffic' });

  // --- dependency ---
  if (f.dep_share >= 0.5 && f.dep_share >= 2 * f.code_share && f.log_new_error + f.log_spike_error >= 1)
    dependency.push({ weight: 2.5, reason: `errors name failing remote calls (${Math.round(f.dep_share * 100)}% of new/spiking errors)` });
  // Resilience clients often only WARN ("circuit breaker open", "retrying"): with no error-level
  // template at all, new remote-call warnings beside a large error-rate rise still name the cause.
  if (!dependency.length && f.log_new_error + f.log_spike_error === 0 && f.log_dependency_warn >= 3 && f.err_bad === 1 && f.err_delta >= 0.05)
    dependency.push({ weight: 2.5, reason: `warnings name failing remote calls (×${f.log_dependency_warn}) while the error rate rose` });
  if (dependency.length && f.onset_steps > 8) dependency.push({ weight: 0.5, reason: `onset ${Math.round(f.onset_steps)} steps after the deploy` });

  // --- environment: health worse, but nothing ties it to the new version ---
  // A regression shows as soon as the new version serves traffic, and usually leaves a version-
  // specific trace (canary worse than stable, new program faults, restarts, a leak). A large
  // before/after degradation without any of that which began well after the deploy is the
  // environment (an outage whose logs are absent or unnamed): a human must look; rolling back
  // will not help. (A canary that merely is not worse YET is no evidence: the canary comparison
  // needs samples, so "shared by the stable group" is not inferred from its absence.)
  const versionEvidence =
    f.canary_any_bad === 1 || f.canary_err_sig_up === 1 || (f.log_new_error >= 1 && f.code_share >= 0.5) ||
    (f.restart_increase >= 2 && f.stable_restart_increase < 2) || (f.mem_leak === 1 && f.mem_stable_leak === 0);
  const lateOnset = f.onset_steps > 12;
  const bigHarm = (f.err_bad === 1 && f.err_delta >= 0.05) || (f.lat_bad === 1 && f.lat_rel >= 1);
  // A change that was already under way before the deploy cannot have been caused by it.
  const preDeploy = f.onset_before_deploy === 1;
  if (bigHarm && !versionEvidence && (lateOnset || preDeploy) && surge.length === 0 && f.load_ratio_recent < 1.3 && !dependency.length)
    dependency.push({
      weight: 2.5,
      reason: preDeploy
        ? 'health was already getting worse before the deploy, with nothing tying it to the new version'
        : `health worse from ${Math.round(f.onset_steps)} steps after the deploy, with nothing tying it to the new version`,
    });
  if ((lateOnset || preDeploy) && !versionEvidence) for (const e of regression) if (/error rate|latency/.test(e.reason)) e.weight *= 0.4;

  // --- no data ---
  // Pods of the new version crash-looping are not scraped while they are down: the restart counter
  // (kept by the cluster, still arriving) explains the missing application metrics.
  if (f.data_gap && f.restart_increase >= 2 && f.stable_restart_increase < 2)
    noData.push({ weight: 1, reason: `telemetry missing for ${f.gapped_metrics} metrics since deploy while the new pods restart (${f.restart_increase}×)` });
  else if (f.data_gap) noData.push({ weight: 2.5, reason: `telemetry missing for ${f.gapped_metrics} metrics since deploy` });

  // Evidence that contradicts a regression: in a canary deploy the stable group suffers equally.
  // With a canary the canary-vs-stable comparison is the controlled experiment: a before/after
  // change the stable group shows too is the environment, not the version.
  if (versionSpecificPossible && !f.canary_any_bad && !f.canary_err_sig_up) {
    for (const e of regression) if (/error rate|latency/.test(e.reason)) e.weight *= 0.3;
  }
  // Traffic rising by a third or more explains latency/CPU (not errors from new faults) at least as well as the code.
  if (f.load_ratio_recent >= 1.3 && !f.canary_any_bad && f.code_share < 0.5)
    for (const e of regression) if (/latency/.test(e.reason)) e.weight *= 0.3;
  // Overload / dependency errors explain an error-rate or latency rise better than the code does.
  if (surge.length && f.code_share < 0.5) for (const e of regression) if (/error rate|latency/.test(e.reason)) e.weight *= 0.3;
  if (dependency.length && f.code_share < 0.3) for (const e of regression) if (/error rate|latency/.test(e.reason)) e.weight *= 0.3;
  return { regression, surge, dependency, noData };
}

const sum = (e: Evidence[]): number => e.reduce((s, x) => s + x.weight, 0);

export class ScoringPolicy implements Policy {
  readonly version = 'scoring-v1';

  decide(input: PolicyInput): Decision {
    const f = input.features;
    const c = scoreCauses(f);
    const health = f.health_bad === 1 || (f.log_new_error >= 1 && f.code_share >= 0.5) || f.dep_share >= 0.5;
    const s = {
      rollback: sum(c.regression),
      scale_up: sum(c.surge),
      escalate: Math.max(sum(c.dependency), sum(c.noData)),
    };
    // a problem must be real before anything but `continue` is considered
    const need: Record<'rollback' | 'scale_up' | 'escalate', number> = { rollback: 2, scale_up: 2.5, escalate: 2.5 };
    // a surge that drives CPU up materially is harm in its own right (no headroom left), even
    // before latency or errors follow
    const saturating = f.cpu_bad === 1 && (f.load_up === 1 || f.load_ratio_recent >= 1.5);
    const candidates = (['rollback', 'scale_up', 'escalate'] as const).filter((a) => s[a] >= need[a] && (health || a === 'escalate' || (a === 'scale_up' && saturating)));
    let action: Action = 'continue';
    if (candidates.length) action = candidates.reduce((best, a) => (s[a] > s[best] ? a : best));
    const total = s.rollback + s.scale_up + s.escalate;
    let confidence: number;
    let reasons: string[];
    if (action === 'continue') {
      confidence = conf(Math.max(0, 5 - total * 1.5));
      reasons = total > 0 ? ['evidence below the action threshold: ' + [...c.regression, ...c.surge, ...c.dependency, ...c.noData].map((e) => e.reason).join('; ')] : ['no significant harmful change since the deploy'];
    } else {
      const mine = action === 'rollback' ? c.regression : action === 'scale_up' ? c.surge : sum(c.dependency) >= sum(c.noData) ? c.dependency : c.noData;
      const others = total - s[action];
      confidence = conf(Math.max(0, s[action] - 0.7 * others));
      reasons = [...mine].sort((a, b) => b.weight - a.weight).map((e) => e.reason);
    }
    const raw: Record<Action, number> = {
      continue: action === 'continue' ? confidence : (1 - confidence) / 3,
      rollback: action === 'rollback' ? confidence : 0,
      scale_up: action === 'scale_up' ? confidence : 0,
      escalate: action === 'escalate' ? confidence : 0,
    };
    // spread the remaining probability over the others in proportion to their evidence
    const rest = 1 - confidence;
    const others = (['continue', 'rollback', 'scale_up', 'escalate'] as Action[]).filter((a) => a !== action);
    const w = others.map((a) => (a === 'continue' ? 0.5 : (s as Record<string, number>)[a] + 0.1));
    const wsum = w.reduce((x, y) => x + y, 0);
    others.forEach((a, i) => (raw[a] = (rest * w[i]) / wsum));
    return { action, confidence: Math.round(confidence * 1000) / 1000, reasons, policyVersion: this.version, propensity: 1, scores: raw };
  }
}
