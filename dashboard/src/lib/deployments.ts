// The live deployments list as pure functions: merge rows, patch them from timeline events,
// derive a row from a detail answer, filter and sort. The page keeps a Map and calls these.
import type { DecisionRecord, DeploymentDetailResponse, DeploymentListItem } from '../../../src/core/api.js';
import type { Action, Analysis, Summary } from '../../../src/core/types.js';
import type { TimelineEvent } from '../../../src/core/timeline.js';

export interface ListFilters {
  service: string;
  environment: string;
  status: string;
  /** 'decision' filter: an action name, or '' */
  decision: string;
}

export const EMPTY_FILTERS: ListFilters = { service: '', environment: '', status: '', decision: '' };

const ACTIONS = new Set<string>(['continue', 'rollback', 'scale_up', 'escalate']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Patch a row from one timeline event, using only what the event itself carries. Payload shapes
 * are read defensively: the page also re-fetches touched deployments, so a missed field only
 * delays the row by one refresh, it never corrupts it.
 */
export function applyEvent(
  row: DeploymentListItem | undefined,
  ev: TimelineEvent,
): DeploymentListItem | undefined {
  const p = ev.payload ?? {};
  if (!row) {
    const d = isObject(p.deployment) ? p.deployment : undefined;
    if (ev.type === 'deployment.received' && d && typeof d.id === 'string' && typeof d.service === 'string') {
      const dep = d as unknown as DeploymentListItem;
      return { ...dep, status: dep.status ?? 'watching' };
    }
    return undefined;
  }
  let next: DeploymentListItem = row;
  if (typeof p.status === 'string') next = { ...next, status: p.status as DeploymentListItem['status'] };
  if (ev.type === 'decision.made') {
    const dec = isObject(p.decision) ? p.decision : p;
    if (typeof dec.action === 'string' && ACTIONS.has(dec.action) && typeof dec.confidence === 'number') {
      next = { ...next, decision: { action: dec.action as Action, confidence: dec.confidence, at: ev.at } };
    }
    const guard = isObject(dec.guard) ? dec.guard : isObject(p.guard) ? p.guard : undefined;
    const id = typeof dec.id === 'string' ? dec.id : typeof p.decisionId === 'string' ? p.decisionId : undefined;
    if (guard?.mode === 'await_approval' && id) next = { ...next, pendingDecisionId: id };
  }
  if (ev.type === 'summary.written') {
    const s = isObject(p.summary) ? p.summary : p;
    if (typeof s.headline === 'string') next = { ...next, headline: s.headline };
  }
  if (ev.type === 'action.approved' || ev.type === 'action.rejected') {
    next = { ...next, pendingDecisionId: undefined };
  }
  return next;
}

/**
 * The decision that matters for a person: the one the last action carried out, else the one
 * waiting for approval, else the latest. (After a rollback the watch keeps deciding
 * "continue" while it verifies; those must not hide the rollback.)
 */
export function primaryDecision(d: Pick<DeploymentDetailResponse, 'decisions' | 'actions'>): DecisionRecord | undefined {
  const lastAction = d.actions[d.actions.length - 1];
  const acted = lastAction && d.decisions.find((x) => x.id === lastAction.decisionId);
  if (acted) return acted;
  const pending = [...d.decisions].reverse().find((x) => x.approval === 'pending');
  return pending ?? d.decisions[d.decisions.length - 1];
}

/** The list row a detail answer implies (used after re-fetching one deployment). */
export function rowFromDetail(d: DeploymentDetailResponse): DeploymentListItem {
  const last = primaryDecision(d);
  const pending = [...d.decisions].reverse().find((x) => x.approval === 'pending');
  return {
    ...d.deployment,
    decision: last ? { action: last.action, confidence: last.confidence, at: last.at } : undefined,
    headline: d.summary?.headline,
    pendingDecisionId: pending?.id,
  };
}

export function matches(row: DeploymentListItem, f: ListFilters): boolean {
  if (f.service && !row.service.toLowerCase().includes(f.service.toLowerCase())) return false;
  if (f.environment && row.environment !== f.environment) return false;
  if (f.status && row.status !== f.status) return false;
  if (f.decision && row.decision?.action !== f.decision) return false;
  return true;
}

/** Newest deploy first; ties broken by id so the order is stable between renders. */
export function visibleRows(rows: Iterable<DeploymentListItem>, f: ListFilters): DeploymentListItem[] {
  const out: DeploymentListItem[] = [];
  for (const r of rows) if (matches(r, f)) out.push(r);
  out.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return out;
}

/** Distinct values of one field, sorted, for filter dropdowns. */
export function distinct(rows: Iterable<DeploymentListItem>, key: 'service' | 'environment'): string[] {
  const s = new Set<string>();
  for (const r of rows) s.add(r[key]);
  return [...s].sort();
}

/** Normalise the list answer: the API returns {deployments}, tolerate a bare array too. */
export function listFromResponse(body: unknown): DeploymentListItem[] {
  if (Array.isArray(body)) return body as DeploymentListItem[];
  if (isObject(body) && Array.isArray(body.deployments)) return body.deployments as DeploymentListItem[];
  return [];
}

/**
 * The summary and analysis the decision was made on (the last ones at or before it), read
 * from the timeline. After an action the latest ones describe the recovery instead.
 */
export function evidenceAt(
  events: DeploymentDetailResponse['events'],
  at: number,
): { summary?: Summary; analysis?: Analysis } {
  let summary: Summary | undefined;
  let analysis: Analysis | undefined;
  for (const e of events) {
    if (e.at > at) break;
    const p = e.payload ?? {};
    if (e.type === 'summary.written' && isObject(p.summary) && typeof p.summary.headline === 'string') summary = p.summary as unknown as Summary;
    if (e.type === 'analysis.completed' && isObject(p.analysis) && Array.isArray(p.analysis.findings)) analysis = p.analysis as unknown as Analysis;
  }
  return { summary, analysis };
}

/**
 * Where the watch's pre-deploy baseline starts (epoch ms): what it collected from, as its
 * timeline says (`signals.collected.from`, else `watch.started.baselineSeconds`).
 */
export function baselineFrom(events: DeploymentDetailResponse['events'], deployAt: number): number | undefined {
  for (const e of events) {
    const p = e.payload ?? {};
    if (e.type === 'signals.collected' && typeof p.from === 'number') return p.from;
    if (e.type === 'watch.started' && typeof p.baselineSeconds === 'number') return deployAt - p.baselineSeconds * 1000;
  }
  return undefined;
}
