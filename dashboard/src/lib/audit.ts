// Normalising the audit answers, whose exact envelope the server may choose.
import type { TimelineEvent } from '../../../src/core/timeline.js';

export function eventsFromAudit(body: unknown): TimelineEvent[] {
  if (Array.isArray(body)) return body as TimelineEvent[];
  if (body && typeof body === 'object') {
    for (const k of ['events', 'entries', 'items', 'audit']) {
      const v = (body as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as TimelineEvent[];
    }
  }
  return [];
}

export interface VerifyView {
  ok: boolean | undefined;
  text: string;
}

/** A one-line verdict from GET /api/audit/verify, whatever extra fields it carries. */
export function verifyView(body: unknown): VerifyView {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const ok = typeof b.ok === 'boolean' ? b.ok : typeof b.valid === 'boolean' ? b.valid : undefined;
  const count = [b.checked, b.count, b.events, b.length].find((x) => typeof x === 'number') as number | undefined;
  const at = [b.brokenAt, b.firstBadSeq, b.seq, b.badSeq].find((x) => typeof x === 'number') as number | undefined;
  const reason = typeof b.reason === 'string' ? b.reason : typeof b.error === 'string' ? b.error : undefined;
  if (ok === true) return { ok, text: `Hash chain verified${count !== undefined ? ` over ${count.toLocaleString('en-US')} events` : ''}.` };
  if (ok === false) {
    return { ok, text: `Hash chain BROKEN${at !== undefined ? ` at event #${at}` : ''}${reason ? `: ${reason}` : ''}.` };
  }
  return { ok: undefined, text: 'Verification status unknown.' };
}
