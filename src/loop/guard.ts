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
  /** an earlier action of this deployment whose outcome is unknown (after a crash), if any */
  unknownAction?: string;
}
export type GuardFn = (input: GuardInput) => GuardVerdict;

export function makeGuard(settings: GuardrailSettings): GuardFn {
  return (i) =>
    afterUnknown(
      guard(i.decision, {
        environment: i.environment,
        settings,
        analysis: i.analysis,
        automaticActions: i.automaticActions,
        now: i.now,
        ...(i.lastActionAt !== undefined ? { lastActionAt: i.lastActionAt } : {}),
      }),
      i,
    );
}

/**
 * Nothing runs on its own after an action whose outcome is unknown: a second rollback on top of
 * one that may have happened is the double action the whole protocol exists to prevent. A person
 * who has checked the target may still approve it.
 */
function afterUnknown(v: GuardVerdict, i: GuardInput): GuardVerdict {
  if (v.mode !== 'execute' || !i.unknownAction) return v;
  return { mode: 'await_approval', reason: `the outcome of the earlier ${i.unknownAction} is unknown: a person must check the target first` };
}
