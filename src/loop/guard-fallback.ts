// Minimal guardrails used until policy/guardrails.ts (pure, owned by the judgment helper) is
// wired in app.ts. Same rules as ARCHITECTURE.md step 7: per-environment confidence threshold,
// dry run, one automatic action per deployment, cooldown, never act on missing data.
import type { Analysis, Decision, GuardVerdict } from '../core/types.js';

export interface GuardInput {
  decision: Decision;
  analysis: Analysis;
  environment: string;
  /** automatic (non-human-approved) actions already executed or requested for this deployment */
  automaticActions: number;
  /** epoch ms of the last action on this service, for the cooldown */
  lastActionAt?: number;
  now: number;
}
export type GuardFn = (input: GuardInput) => GuardVerdict;

export interface FallbackGuardConfig {
  dryRun: boolean;
  cooldownSeconds: number;
  environments: Record<string, { autoActConfidence: number; requireApproval: boolean }>;
  defaultAutoActConfidence: number;
}

export function makeFallbackGuard(cfg: FallbackGuardConfig): GuardFn {
  return (input) => {
    const { decision, analysis } = input;
    if (decision.action === 'continue') return { mode: 'record_only', reason: 'nothing to do' };
    if (cfg.dryRun) return { mode: 'dry_run', reason: 'dry-run mode: actions are recorded, not executed' };
    if (input.automaticActions >= 1) return { mode: 'record_only', reason: 'one automatic action per deployment already taken' };
    const gap = analysis.findings.some((f) => f.kind === 'data_gap' && f.severity >= 0.5);
    // Escalating on missing data is exactly right (a human must look); acting on it is not.
    if (gap && decision.action !== 'escalate') return { mode: 'await_approval', reason: 'signals are missing: will not act alone on missing data' };
    const env = cfg.environments[input.environment];
    if (env?.requireApproval) return { mode: 'await_approval', reason: `${input.environment} requires approval` };
    const threshold = env?.autoActConfidence ?? cfg.defaultAutoActConfidence;
    if (decision.confidence < threshold) {
      return { mode: 'await_approval', reason: `confidence ${decision.confidence.toFixed(2)} below ${threshold} for ${input.environment}` };
    }
    if (input.lastActionAt !== undefined && input.now - input.lastActionAt < cfg.cooldownSeconds * 1000 && decision.action !== 'escalate') {
      return { mode: 'await_approval', reason: `cooldown: last action on this service less than ${cfg.cooldownSeconds}s ago` };
    }
    return { mode: 'execute', reason: `confidence ${decision.confidence.toFixed(2)} ≥ ${threshold} for ${input.environment}` };
  };
}
