// API answers built from the timeline (shapes in core/api.ts). Everything a client sees is
// derived from the same events the audit trail holds.
import type { ActionRecord, DecisionRecord, DeploymentDetailResponse, DeploymentListItem } from '../core/api.js';
import type { TimelineEvent } from '../core/timeline.js';
import type { Deployment, Point, SignalBundle } from '../core/types.js';
import { deriveState, pendingDecision, primaryDecision, statusOf, type WatchState } from '../loop/state.js';

export function decisionRecords(s: WatchState): DecisionRecord[] {
  return s.decisions.map((d) => ({
    ...d.decision,
    id: d.id,
    at: d.at,
    guard: { mode: d.guard.mode, reason: d.guard.reason },
    // 'superseded': a newer decision replaced it before anyone answered; no approval needed any more
    // (a watch that ended, e.g. cancelled by a newer deploy, leaves nothing to approve)
    approval: d.approval === 'superseded' || (d.approval === 'pending' && s.completed) ? 'not_needed' : d.approval,
    ...(d.approvalBy !== undefined ? { approvalBy: d.approvalBy } : {}),
    ...(d.approvalReason !== undefined ? { approvalReason: d.approvalReason } : {}),
  }));
}

export function actionRecords(s: WatchState): ActionRecord[] {
  return s.actions.map((a) => ({
    id: a.id,
    decisionId: a.decisionId,
    action: a.action,
    requestedAt: a.requestedAt,
    status: a.status,
    actuator: a.actuator,
    ...(a.detail !== undefined ? { detail: a.detail } : {}),
    ...(a.finishedAt !== undefined ? { finishedAt: a.finishedAt } : {}),
  }));
}

export function listItem(d: Deployment, events: readonly TimelineEvent[]): DeploymentListItem {
  const s = deriveState(events);
  const last = primaryDecision(s);
  const pending = s.completed ? undefined : pendingDecision(s);
  return {
    ...d,
    status: events.length ? statusOf(s) : d.status,
    ...(last ? { decision: { action: last.decision.action, confidence: last.decision.confidence, at: last.at } } : {}),
    ...(s.summary ? { headline: s.summary.headline } : {}),
    ...(pending ? { pendingDecisionId: pending.id } : {}),
  };
}

export function detail(d: Deployment, events: TimelineEvent[], bundle?: SignalBundle): DeploymentDetailResponse {
  const s = deriveState(events);
  return {
    deployment: { ...d, status: events.length ? statusOf(s) : d.status },
    events,
    ...(s.summary ? { summary: s.summary } : {}),
    ...(s.analysis ? { analysis: s.analysis } : {}),
    decisions: decisionRecords(s),
    actions: actionRecords(s),
    ...(s.outcome ? { outcome: s.outcome } : {}),
    ...(bundle ? { series: seriesOf(bundle) } : {}),
  };
}

function seriesOf(b: SignalBundle): NonNullable<DeploymentDetailResponse['series']> {
  const out: NonNullable<DeploymentDetailResponse['series']> = {};
  for (const [name, pts] of Object.entries(b.metrics)) {
    if (!pts || pts.length === 0) continue;
    const base = b.baselineMetrics?.[name];
    out[name] = { points: pts.map((p: Point) => [p[0], p[1]]), ...(base && base.length ? { baseline: base.map((p: Point) => [p[0], p[1]]) } : {}) };
  }
  return out;
}
