// The Notifier interface (one per adapter family): Slack, generic webhook, GitHub deployment
// status. A notice is about one decision at one stage; a notifier sends each (decision, stage)
// at most once, however often the loop retries or resumes after a crash (SentLog).
import type { Decision, Deployment, GuardMode, Outcome } from './types.js';

/** decision: just decided (maybe awaiting approval); action: the action ran; outcome: verified. */
export type NoticeStage = 'decision' | 'action' | 'outcome';

export interface DecisionNotice {
  /** id of the decision (as used by /api/decisions/:id/approve) */
  decisionId: string;
  stage: NoticeStage;
  deployment: Deployment;
  decision: Pick<Decision, 'action' | 'confidence' | 'reasons'>;
  /** the summary's headline, or its short text */
  summary: string;
  guard: { mode: GuardMode; reason: string };
  /** when stage is 'action'; `unknown`: a resumed action whose outcome nobody could establish */
  actionResult?: { ok: boolean; detail: string; unknown?: boolean };
  /** when stage is 'outcome' */
  outcome?: Outcome;
  /** absolute links to the dashboard; approve/reject only while awaiting approval */
  links?: { detail?: string; approve?: string; reject?: string };
}

export interface NotifyResult {
  channel: string;
  ok: boolean;
  /** true when this (decision, stage) had already been sent: nothing was sent again */
  duplicate?: boolean;
  detail: string;
}

export interface Notifier {
  readonly name: string;
  notify(notice: DecisionNotice): Promise<NotifyResult>;
}

/** Remembers what was sent. Backed by the store in the app, by memory in tests. */
export interface SentLog {
  has(key: string): Promise<boolean>;
  add(key: string): Promise<void>;
}

export function memorySentLog(): SentLog {
  const s = new Set<string>();
  return { has: async (k) => s.has(k), add: async (k) => void s.add(k) };
}

/** A SentLog on the Store's key-value state (survives restarts). */
export function stateSentLog(state: { getState<T>(k: string): Promise<T | undefined>; setState<T>(k: string, v: T): Promise<void> }): SentLog {
  return {
    has: async (k) => (await state.getState(`notify:${k}`)) !== undefined,
    add: async (k) => state.setState(`notify:${k}`, true),
  };
}

export const noticeKey = (channel: string, n: Pick<DecisionNotice, 'decisionId' | 'stage'>) => `${channel}:${n.decisionId}:${n.stage}`;

/**
 * Wraps a send function with at-most-once per (channel, decision, stage): concurrent calls for the
 * same key share one send, and a key is recorded only after a successful send (so a failed one
 * can be retried).
 */
export function once(channel: string, log: SentLog, send: (n: DecisionNotice) => Promise<NotifyResult>): (n: DecisionNotice) => Promise<NotifyResult> {
  const inFlight = new Map<string, Promise<NotifyResult>>();
  return async (n) => {
    const key = noticeKey(channel, n);
    const pending = inFlight.get(key);
    if (pending) return { ...(await pending), duplicate: true };
    // registered before the first await, so concurrent callers find it
    const p = (async (): Promise<NotifyResult> => {
      if (await log.has(key)) return { channel, ok: true, duplicate: true, detail: `already sent for decision ${n.decisionId} (${n.stage})` };
      const r = await send(n);
      if (r.ok) await log.add(key);
      return r;
    })();
    inFlight.set(key, p);
    try {
      return await p;
    } finally {
      inFlight.delete(key);
    }
  };
}

/** Sends to every notifier; one failing never stops the others. Results go on the timeline. */
export async function notifyAll(notifiers: readonly Notifier[], n: DecisionNotice): Promise<NotifyResult[]> {
  return Promise.all(
    notifiers.map((x) =>
      x.notify(n).catch((e: unknown) => ({ channel: x.name, ok: false, detail: `notifier failed: ${(e as Error).message ?? String(e)}` })),
    ),
  );
}

/** One line a person reads: "rollback checkout v2.15.0 (production), confidence 93%". */
export function noticeTitle(n: DecisionNotice): string {
  const d = n.deployment;
  const pct = Math.round(n.decision.confidence * 100);
  const what = `${n.decision.action.replace('_', ' ')} ${d.service} ${d.version} (${d.environment})`;
  if (n.stage === 'outcome') {
    if (n.decision.action === 'continue') return `${n.outcome?.recovered ? 'Healthy' : 'Unhealthy'}: ${d.service} ${d.version} (${d.environment})`;
    return `${n.outcome?.recovered ? 'Recovered' : 'Not recovered'}: ${what}`;
  }
  if (n.stage === 'action') return `${n.actionResult?.unknown ? 'Outcome unknown, check by hand' : n.actionResult?.ok ? 'Done' : 'Failed'}: ${what}`;
  if (n.guard.mode === 'await_approval') return `Approval needed: ${what}, confidence ${pct}%`;
  return `Decided: ${what}, confidence ${pct}%`;
}
