// The audit hash chain, shared by every Store backend so SQLite and PostgreSQL chain (and
// verify) events byte-for-byte the same way.
import { canonicalJson, sha256Hex } from '../core/hash.js';
import type { AuditVerification } from '../core/store.js';
import { TIMELINE_EVENT_TYPES, type NewTimelineEvent, type TimelineEvent } from '../core/timeline.js';

/** prevHash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * What the hash covers: everything about the event except the hashes themselves. `seq` is in
 * it so that reordering or renumbering rows is detected, not only editing their content.
 */
export function eventContent(e: Omit<TimelineEvent, 'prevHash' | 'hash'>): Record<string, unknown> {
  return {
    seq: e.seq,
    deploymentId: e.deploymentId,
    type: e.type,
    at: e.at,
    actor: e.actor,
    payload: e.payload,
    dedupeKey: e.dedupeKey,
  };
}

export function chainHash(prevHash: string, e: Omit<TimelineEvent, 'prevHash' | 'hash'>): string {
  return sha256Hex(prevHash + canonicalJson(eventContent(e)));
}

/**
 * The payload exactly as it will read back from the database (JSON text round trip: undefined
 * dropped, Dates as strings, NaN as null). Hashing this, not the caller's object, keeps the
 * hash recomputable from the stored row.
 */
export function normalizePayload(payload: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(payload ?? {});
  const back: unknown = JSON.parse(text);
  if (!back || typeof back !== 'object' || Array.isArray(back)) {
    throw new TypeError('timeline event payload must be a JSON object');
  }
  return back as Record<string, unknown>;
}

/** Number and chain a new event after the current head. */
export function chainEvent(event: NewTimelineEvent, seq: number, prevHash: string): TimelineEvent {
  validateNewEvent(event);
  const base: Omit<TimelineEvent, 'prevHash' | 'hash'> = {
    seq,
    deploymentId: event.deploymentId ?? null,
    type: event.type,
    // whole milliseconds: a simulated clock may yield fractions, and PostgreSQL's BIGINT
    // would reject what SQLite accepts; rounding first keeps both backends (and hashes) equal
    at: Math.round(event.at),
    actor: event.actor,
    payload: normalizePayload(event.payload),
    ...(event.dedupeKey !== undefined ? { dedupeKey: event.dedupeKey } : {}),
  };
  return { ...base, prevHash, hash: chainHash(prevHash, base) };
}

/**
 * Walks the chain in seq order and stops at the first fault: a gap or repeat in seq, a
 * prevHash that is not the previous hash, or a hash that does not match the content.
 */
export class ChainVerifier {
  private prev = GENESIS_HASH;
  private expectedSeq = 1;
  private checked = 0;
  private failure: AuditVerification | undefined;

  /** false once a fault was found (stop feeding). */
  push(e: TimelineEvent): boolean {
    if (this.failure) return false;
    if (e.seq !== this.expectedSeq) {
      return this.fail(this.expectedSeq, `seq ${this.expectedSeq} missing (found ${e.seq})`);
    }
    if (e.prevHash !== this.prev) return this.fail(e.seq, 'prevHash does not match the previous event');
    if (chainHash(e.prevHash, e) !== e.hash) return this.fail(e.seq, 'hash does not match the event content');
    this.prev = e.hash;
    this.expectedSeq += 1;
    this.checked += 1;
    return true;
  }

  /** `head` is the recorded chain head, so deleting the newest events is detected too. */
  finish(head?: { seq: number; hash: string }): AuditVerification {
    if (this.failure) return this.failure;
    if (head && (head.seq !== this.expectedSeq - 1 || (head.seq > 0 && head.hash !== this.prev))) {
      return {
        ok: false,
        checked: this.checked,
        brokenAt: Math.min(head.seq, this.expectedSeq),
        reason: `chain head says seq ${head.seq} but the events end at ${this.expectedSeq - 1}`,
      };
    }
    return { ok: true, checked: this.checked };
  }

  private fail(seq: number, reason: string): false {
    this.failure = { ok: false, checked: this.checked, brokenAt: seq, reason };
    return false;
  }
}

/** Reject what would corrupt the audit trail, before any transaction starts. */
export function validateNewEvent(event: NewTimelineEvent): void {
  if (!(TIMELINE_EVENT_TYPES as readonly string[]).includes(event.type)) {
    throw new TypeError(`unknown timeline event type: ${String(event.type)}`);
  }
  if (typeof event.at !== 'number' || !Number.isFinite(event.at)) throw new TypeError('timeline event `at` must be a finite number');
  if (typeof event.actor !== 'string' || event.actor === '') throw new TypeError('timeline event `actor` must be a non-empty string');
  if (event.deploymentId !== null && typeof event.deploymentId !== 'string') {
    throw new TypeError('timeline event `deploymentId` must be a string or null');
  }
}
