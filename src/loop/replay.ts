// The replay driver: plays one scenario through the whole judgment pipeline as if live, with a
// virtual clock. It ticks every stepSeconds from the deploy to the scenario's last timestamp; each
// tick sees only data up to that tick (the scenario source enforces it).
//
// What is reported: every decision whose action changed, and the decision that was acted on.
// The first non-`continue` decision is acted on against a simulated target. The replay stops
// there: after a real rollback / scale-up the world would change, and the recorded scenario can
// not show how, so any later "decision" would be judged on data that could not exist.
import { VirtualClock } from '../core/clock.js';
import type { Scenario } from '../core/scenario.js';
import type { Action, DeploymentSpec, GuardVerdict, Policy } from '../core/types.js';
import { ScenarioSource } from '../signals/scenario.js';
import { LogIndex } from '../analysis/log-index.js';
import { ScoringPolicy } from '../policy/scoring-policy.js';
import { guard, DEFAULT_GUARDRAILS, type GuardrailSettings } from '../policy/guardrails.js';
import { evaluateTick, type TickResult } from './pipeline.js';

export interface ReplayDecision {
  /** epoch ms (scenario time) of the tick */
  at: number;
  action: Action;
  confidence: number;
  summary: string;
  reasons: string[];
  guard: GuardVerdict;
  /** true for the decision the watch acts on (simulated target) */
  acted: boolean;
  findingIds: string[];
}

export interface ReplayOptions {
  policy?: Policy;
  guardrails?: GuardrailSettings;
  /** pre-deploy baseline the watch asks the sources for, seconds */
  baselineSeconds?: number;
  /** keep ticking after the acted decision (default false, see header) */
  continueAfterAct?: boolean;
  /** called after every tick (benchmarks, debugging) */
  onTick?: (at: number, result: TickResult) => void;
}

export interface ReplayResult {
  scenario: string;
  decisions: ReplayDecision[];
  ticks: number;
}

export function replayScenario(scenario: Scenario, opts: ReplayOptions = {}): ReplayResult {
  const policy = opts.policy ?? new ScoringPolicy();
  const settings = opts.guardrails ?? DEFAULT_GUARDRAILS;
  const deployAt = Date.parse(scenario.deployment.at);
  const stepMs = scenario.stepSeconds * 1000;
  const deployment: DeploymentSpec = {
    service: scenario.service,
    environment: scenario.environment,
    version: scenario.deployment.version,
    previousVersion: scenario.deployment.previousVersion,
    commit: scenario.deployment.commit,
    at: deployAt,
    replicas: scenario.deployment.replicas,
  };
  const clock = new VirtualClock(deployAt);
  const source = new ScenarioSource(scenario, clock);
  const end = source.lastTime();
  const from = deployAt - (opts.baselineSeconds ?? 1800) * 1000;
  const logIndex = new LogIndex(deployAt);
  const decisions: ReplayDecision[] = [];
  let last: Action | undefined;
  let acted = false;
  let ticks = 0;
  for (let now = deployAt; now <= end; now += stepMs) {
    clock.set(now);
    const bundle = source.collectSync({ deployment, from, to: now, stepSeconds: scenario.stepSeconds });
    const r = evaluateTick({ deployment, bundle, now, stepSeconds: scenario.stepSeconds, policy, logIndex });
    ticks++;
    opts.onTick?.(now, r);
    const d = r.decision;
    const actNow = !acted && d.action !== 'continue';
    const verdict = guard(d, { environment: deployment.environment, settings, analysis: r.analysis, automaticActions: acted ? 1 : 0, now });
    if (d.action !== last || actNow) {
      decisions.push({
        at: now,
        action: d.action,
        confidence: d.confidence,
        summary: r.summary.headline,
        reasons: d.reasons,
        guard: verdict,
        acted: actNow,
        findingIds: r.summary.lines.map((l) => l.findingId),
      });
      last = d.action;
    }
    if (actNow) {
      acted = true;
      if (!opts.continueAfterAct) break;
    }
  }
  return { scenario: scenario.id, decisions, ticks };
}
