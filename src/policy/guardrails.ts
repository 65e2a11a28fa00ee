// Guardrails (pure): may this decision run on its own, must it wait for a human, or is it only
// recorded? Rules, in order (the first that applies wins):
//  1. `continue` changes nothing → record_only.
//  2. dry-run mode → dry_run (recorded as if executed, nothing happens).
//  3. at most one automatic action per deployment → record_only once one was taken.
//  4. never act on missing data: rollback / scale_up with a data gap → await_approval
//     (escalate is exactly right on missing data: it asks a human).
//  5. environments that require approval → await_approval.
//  6. confidence below the environment's threshold → await_approval.
//  7. cooldown since the last action on this service → await_approval (escalate exempt).
//  8. otherwise → execute.
import type { Analysis, Decision, GuardVerdict } from '../core/types.js';
import { own } from '../core/own.js';

/** Same shape as the `guardrails` section of the config (config/schema.ts). */
export interface GuardrailSettings {
  dryRun: boolean;
  cooldownSeconds: number;
  environments: Record<string, { autoActConfidence: number; requireApproval?: boolean }>;
  defaultAutoActConfidence: number;
}

export const DEFAULT_GUARDRAILS: GuardrailSettings = {
  dryRun: false,
  cooldownSeconds: 600,
  environments: { production: { autoActConfidence: 0.85, requireApproval: false }, staging: { autoActConfidence: 0.6, requireApproval: false } },
  defaultAutoActConfidence: 0.8,
};

export interface GuardContext {
  environment: string;
  settings: GuardrailSettings;
  /** the tick's analysis (for data gaps); or pass `dataGap` directly */
  analysis?: Analysis;
  dataGap?: boolean;
  /** automatic actions already requested/executed for this deployment */
  automaticActions: number;
  /** epoch ms of the last action on this service (any deployment), for the cooldown */
  lastActionAt?: number;
  /** epoch ms now (from the injected clock) */
  now: number;
}

export function hasDataGap(analysis: Analysis | undefined): boolean {
  return !!analysis?.findings.some((f) => f.kind === 'data_gap' && f.severity >= 0.5);
}

export function autoActThreshold(settings: GuardrailSettings, environment: string): number {
  return own(settings.environments, environment)?.autoActConfidence ?? settings.defaultAutoActConfidence;
}

export function guard(decision: Decision, ctx: GuardContext): GuardVerdict {
  const { settings, environment } = ctx;
  if (decision.action === 'continue') return { mode: 'record_only', reason: 'nothing to do' };
  if (settings.dryRun) return { mode: 'dry_run', reason: 'dry-run mode: the action is recorded, not executed' };
  if (ctx.automaticActions >= 1) return { mode: 'record_only', reason: 'one automatic action per deployment was already taken' };
  const gap = ctx.dataGap ?? hasDataGap(ctx.analysis);
  if (gap && decision.action !== 'escalate') return { mode: 'await_approval', reason: 'signals are missing: will not act alone on missing data' };
  const env = own(settings.environments, environment);
  if (env?.requireApproval) return { mode: 'await_approval', reason: `${environment} requires a human approval` };
  const threshold = autoActThreshold(settings, environment);
  if (!(decision.confidence >= threshold))
    return { mode: 'await_approval', reason: `confidence ${decision.confidence.toFixed(2)} below ${threshold} for ${environment}` };
  if (decision.action !== 'escalate' && ctx.lastActionAt !== undefined && ctx.now - ctx.lastActionAt < settings.cooldownSeconds * 1000)
    return { mode: 'await_approval', reason: `cooldown: the last action on this service was less than ${settings.cooldownSeconds}s ago` };
  return { mode: 'execute', reason: `confidence ${decision.confidence.toFixed(2)} ≥ ${threshold} for ${environment}` };
}
