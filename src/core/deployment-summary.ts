// What the deployment list shows of each deployment (status, the decision that tells its story,
// the latest headline, the decision waiting for a person), folded one event at a time so a
// store can keep it on the deployment's row, updated in the same transaction as each append.
// A list is then one indexed query instead of reading every listed deployment's timeline.
//
// This is loop/state.ts's deriveState + primaryDecision/pendingDecision/statusOf reduced to
// the few facts the list needs, kept small enough to store as JSON (decisions and actions are
// a handful per deployment). test/store/summary-fold.test.ts checks both agree on real
// timelines; a change to the timeline's meaning must change both.
import type { TimelineEvent } from './timeline.js';
import type { Action, DeploymentStatus } from './types.js';

/** Statuses of a watch that still has something to do (`action_unknown` is also a final status;
 *  a completed watch is told apart by completed_at). */
export const ACTIVE_STATUSES: readonly DeploymentStatus[] = ['watching', 'awaiting_approval', 'acting', 'verifying', 'action_unknown'];

/** [decision id, action, confidence, at] */
type DecisionRef = [string, Action, number, number];
/** [action id, decision id, status] */
type ActionRef = [string, string, 'requested' | 'executed' | 'failed' | 'unknown' | 'dry_run'];

export interface SummaryFold {
  /** events folded so far (0: the row's own status is all there is) */
  n: number;
  d: DecisionRef[];
  a: ActionRef[];
  /** id of the decision waiting for approval */
  p?: string;
  /** headline of the latest summary */
  h?: string;
  /** set by watch.completed: its status (or null when it named none) */
  c?: DeploymentStatus | null;
}

export interface DeploymentSummary {
  /** undefined until the fold has seen an event (then the row's own status stands) */
  status?: DeploymentStatus;
  decision?: { action: Action; confidence: number; at: number };
  headline?: string;
  pendingDecisionId?: string;
}

export function emptyFold(): SummaryFold {
  return { n: 0, d: [], a: [] };
}

type P = Record<string, unknown>;

/** Fold one event into `f` (mutates and returns it). */
export function foldEvent(f: SummaryFold, e: Pick<TimelineEvent, 'type' | 'at' | 'payload'>): SummaryFold {
  const p = e.payload as P;
  f.n += 1;
  switch (e.type) {
    case 'summary.written': {
      const headline = (p.summary as { headline?: unknown } | undefined)?.headline;
      if (typeof headline === 'string') f.h = headline;
      else delete f.h;
      break;
    }
    case 'decision.made': {
      const decision = (p.decision ?? {}) as { action?: Action; confidence?: number };
      const id = String(p.decisionId);
      f.d.push([id, decision.action as Action, Number(decision.confidence), e.at]);
      // a new decision supersedes the one waiting for a person
      if ((p.guard as { mode?: unknown } | undefined)?.mode === 'await_approval') f.p = id;
      else delete f.p;
      break;
    }
    case 'action.approved':
    case 'action.rejected':
      if (f.p !== undefined && f.p === p.decisionId) delete f.p;
      break;
    case 'action.requested':
      if (!f.a.some((a) => a[0] === p.actionId)) f.a.push([String(p.actionId), String(p.decisionId), p.dryRun ? 'dry_run' : 'requested']);
      break;
    case 'action.executed':
    case 'action.failed':
    case 'action.unknown': {
      const a = f.a.find((x) => x[0] === p.actionId);
      // the first result is the result (as in loop/state.ts)
      if (a && a[2] === 'requested') a[2] = e.type === 'action.executed' ? 'executed' : e.type === 'action.failed' ? 'failed' : 'unknown';
      break;
    }
    case 'watch.completed':
      f.c = typeof p.status === 'string' ? (p.status as DeploymentStatus) : null;
      break;
    default:
      break;
  }
  return f;
}

export function foldEvents(events: Iterable<Pick<TimelineEvent, 'type' | 'at' | 'payload'>>, f = emptyFold()): SummaryFold {
  for (const e of events) foldEvent(f, e);
  return f;
}

/** The status the timeline says (statusOf in loop/state.ts); undefined when it cannot say. */
export function foldStatus(f: SummaryFold): DeploymentStatus | undefined {
  if (f.n === 0) return undefined;
  if (f.c !== undefined) return f.c ?? undefined;
  if (f.a.some((a) => a[2] === 'requested')) return 'acting';
  // unknownAction in loop/state.ts: the last settled action's outcome could not be established
  const settled = f.a.filter((a) => a[2] === 'executed' || a[2] === 'unknown');
  if (settled[settled.length - 1]?.[2] === 'unknown') return 'action_unknown';
  if (settled.length > 0) return 'verifying';
  if (f.p !== undefined) return 'awaiting_approval';
  return 'watching';
}

/** What the list shows; the decision is the one the last action carried out, else the one
 *  waiting for a person, else the latest (primaryDecision in loop/state.ts). */
export function foldSummary(f: SummaryFold): DeploymentSummary {
  const lastAction = f.a[f.a.length - 1];
  const byId = (id: string | undefined) => (id === undefined ? undefined : f.d.find((d) => d[0] === id));
  const pending = f.c !== undefined ? undefined : f.p;
  const shown = (lastAction && byId(lastAction[1])) ?? byId(pending) ?? f.d[f.d.length - 1];
  const status = foldStatus(f);
  return {
    ...(status ? { status } : {}),
    ...(shown ? { decision: { action: shown[1], confidence: shown[2], at: shown[3] } } : {}),
    ...(f.h !== undefined ? { headline: f.h } : {}),
    ...(pending !== undefined ? { pendingDecisionId: pending } : {}),
  };
}

export function parseFold(text: string | null | undefined): SummaryFold {
  if (!text) return emptyFold();
  try {
    const f = JSON.parse(text) as SummaryFold;
    return f && typeof f === 'object' && Array.isArray(f.d) && Array.isArray(f.a) ? f : emptyFold();
  } catch {
    return emptyFold();
  }
}
