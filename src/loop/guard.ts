// The guard step of the loop: what the watch knows (this deployment's actions, the tick's
// analysis) handed to the pure guardrails in policy/guardrails.ts.
import type { Analysis, Decision, GuardVerdict } from '../core/types.js';
import { guard, type GuardrailSettings } from '../policy/guardrails.js';

export interface GuardInput {
  decision: Decision;
  analysis: Analysis;
  environment: string;
  /** the deployment's service, for per-service approval policies */
  service: string;
  /** automatic (not human-approved) actions already taken for this deployment */
  automaticActions: number;
  /** epoch ms of the last action, for the cooldown */
  lastActionAt?: number;
  now: number;
}
export type GuardFn = (input: GuardInput) => GuardVerdict;

export function makeGuard(settings: GuardrailSettings): GuardFn {
  return (i) =>
    guard(i.decision, {
      environment: i.environment,
      settings,
      analysis: i.analysis,
      automaticActions: i.automaticActions,
      now: i.now,
      ...(i.lastActionAt !== undefined ? { lastActionAt: i.lastActionAt } : {}),
    });
}
