// A watch's state, derived only from its timeline events. The watch, the status, the API and a
// resumed watch all read state through this one reducer, so after a crash the resumed watch
// sees exactly what the dashboard saw.
//
// Event payloads written by the loop (the timeline's schema):
//   deployment.received {deployment, source, idempotencyKey}
//   watch.started       {windowSeconds, baselineSeconds, stepSeconds, verifySeconds, approvalTimeoutSeconds}
//   signals.collected   {tick, from, to, counts: {metrics: {name: n}, logs, spans}, problems}
//   analysis.completed  {tick, analysis, findingIds}
//   summary.written     {tick, summary}
//   decision.made       {decisionId, tick, decision, guard, features, headline}
//   action.requested    {actionId, decisionId, action, actuator, reason, automatic, dryRun, executor, claim}
//   action.approved / action.rejected {decisionId, reason}
//   action.executed / action.failed   {actionId, decisionId, action, detail, changes, reconciled?}
//   action.unknown      {actionId, decisionId, action, actuator, evidence, changes}
//   outcome.verified    {actionId?, outcome}
//   watch.completed     {status, reason}
import type { TimelineEvent } from '../core/timeline.js';
import type { ActuatedAction, Analysis, Decision, DeploymentStatus, Features, GuardVerdict, Outcome, Summary } from '../core/types.js';

export interface WatchTiming {
  windowSeconds: number;
  baselineSeconds: number;
  stepSeconds: number;
  verifySeconds: number;
  /** how long a decision may wait for a human after the window ended */
  approvalTimeoutSeconds: number;
}

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'not_needed' | 'superseded';

export interface DecisionState {
  id: string;
  tick: number;
  at: number;
  decision: Decision;
  guard: GuardVerdict;
  features?: Features;
  approval: ApprovalState;
  approvalBy?: string;
  approvalReason?: string;
}

export interface ActionState {
  id: string;
  decisionId: string;
  action: ActuatedAction;
  requestedAt: number;
  status: 'requested' | 'executed' | 'failed' | 'unknown' | 'dry_run';
  actuator: string;
  automatic: boolean;
  /** why it was requested (the guard's reason, or who approved it): the request a resume repeats */
  reason: string;
  detail?: string;
  finishedAt?: number;
}

export interface WatchState {
  timing?: WatchTiming;
  lastTick: number;
  lastSeq: number;
  decisions: DecisionState[];
  actions: ActionState[];
  analysis?: Analysis;
  summary?: Summary;
  lastAnalysisTick: number;
  lastFindingIds?: string;
  outcome?: Outcome;
  completed?: { status: DeploymentStatus; reason: string; at: number };
}

type P = Record<string, unknown>;

export function deriveState(events: readonly TimelineEvent[]): WatchState {
  const s: WatchState = { lastTick: 0, lastSeq: 0, decisions: [], actions: [], lastAnalysisTick: 0 };
  for (const e of events) applyEvent(s, e);
  return s;
}

export function applyEvent(s: WatchState, e: TimelineEvent): void {
  const p = e.payload as P;
  s.lastSeq = Math.max(s.lastSeq, e.seq);
  switch (e.type) {
    case 'watch.started':
      s.timing = p as unknown as WatchTiming;
      break;
    case 'signals.collected':
      s.lastTick = Math.max(s.lastTick, Number(p.tick) || 0);
      break;
    case 'analysis.completed':
      s.analysis = p.analysis as Analysis;
      s.lastAnalysisTick = Number(p.tick) || 0;
      s.lastFindingIds = String(p.findingIds ?? '');
      break;
    case 'summary.written':
      s.summary = p.summary as Summary;
      break;
    case 'decision.made': {
      for (const d of s.decisions) if (d.approval === 'pending') d.approval = 'superseded';
      const guard = p.guard as GuardVerdict;
      s.decisions.push({
        id: String(p.decisionId),
        tick: Number(p.tick) || 0,
        at: e.at,
        decision: p.decision as Decision,
        guard,
        features: p.features as Features | undefined,
        approval: guard.mode === 'await_approval' ? 'pending' : 'not_needed',
      });
      break;
    }
    case 'action.approved':
    case 'action.rejected': {
      const d = s.decisions.find((x) => x.id === p.decisionId);
      if (d && d.approval === 'pending') {
        d.approval = e.type === 'action.approved' ? 'approved' : 'rejected';
        d.approvalBy = e.actor;
        d.approvalReason = typeof p.reason === 'string' ? p.reason : undefined;
      }
      break;
    }
    case 'action.requested':
      if (!s.actions.some((a) => a.id === p.actionId)) {
        s.actions.push({
          id: String(p.actionId),
          decisionId: String(p.decisionId),
          action: p.action as ActuatedAction,
          requestedAt: e.at,
          status: p.dryRun ? 'dry_run' : 'requested',
          actuator: String(p.actuator ?? ''),
          automatic: p.automatic === true,
          reason: String(p.reason ?? ''),
          ...(p.dryRun ? { detail: 'dry run: not executed' } : {}),
        });
      }
      break;
    case 'action.executed':
    case 'action.failed':
    case 'action.unknown': {
      const a = s.actions.find((x) => x.id === p.actionId);
      // the first result is the result: nothing after it changes what happened
      if (a && a.status === 'requested') {
        a.status = e.type === 'action.executed' ? 'executed' : e.type === 'action.failed' ? 'failed' : 'unknown';
        a.detail = String((e.type === 'action.unknown' ? p.evidence : p.detail) ?? '');
        a.finishedAt = e.at;
      }
      break;
    }
    case 'outcome.verified':
      s.outcome = p.outcome as Outcome;
      break;
    case 'watch.completed':
      s.completed = { status: p.status as DeploymentStatus, reason: String(p.reason ?? ''), at: e.at };
      break;
    default:
      break;
  }
}

export function latestDecision(s: WatchState): DecisionState | undefined {
  return s.decisions[s.decisions.length - 1];
}

export function pendingDecision(s: WatchState): DecisionState | undefined {
  return s.decisions.find((d) => d.approval === 'pending');
}

/**
 * The decision that tells a deployment's story: the one the last action carried out, else the
 * one waiting for a person, else the latest. After a rollback the watch keeps deciding
 * "continue" on the recovered service; that later decision must not hide the rollback.
 */
export function primaryDecision(s: WatchState): DecisionState | undefined {
  const lastAction = s.actions[s.actions.length - 1];
  const acted = lastAction && s.decisions.find((d) => d.id === lastAction.decisionId);
  return acted ?? (s.completed ? undefined : pendingDecision(s)) ?? latestDecision(s);
}

/** The action whose effect is being (or was) verified: the last one that ran. */
export function executedAction(s: WatchState): ActionState | undefined {
  return [...s.actions].reverse().find((a) => a.status === 'executed');
}

/**
 * The action whose outcome nobody could establish (a resumed action the target could not vouch
 * for), unless a later action was carried out since: until then a person must check the target.
 */
export function unknownAction(s: WatchState): ActionState | undefined {
  const settled = s.actions.filter((a) => a.status === 'executed' || a.status === 'unknown');
  const last = settled[settled.length - 1];
  return last?.status === 'unknown' ? last : undefined;
}

/** DeploymentStatus derived from the events, for lists, filters and the dashboard. */
export function statusOf(s: WatchState): DeploymentStatus {
  if (s.completed) return s.completed.status;
  if (s.actions.some((a) => a.status === 'requested')) return 'acting';
  if (unknownAction(s)) return 'action_unknown';
  if (executedAction(s)) return 'verifying';
  if (pendingDecision(s)) return 'awaiting_approval';
  return 'watching';
}
