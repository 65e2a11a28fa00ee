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
  private prev: string;
  private expectedSeq: number;
  private checked: number;
  private failure: AuditVerification | undefined;

  /** `from`: start after this event (seq and hash), already known to be intact */
  constructor(from?: { seq: number; hash: string }) {
    this.prev = from?.hash ?? GENESIS_HASH;
    this.expectedSeq = (from?.seq ?? 0) + 1;
    this.checked = from?.seq ?? 0;
  }

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

  /** seq of the last event that checked out */
  lastSeq(): number {
    return this.expectedSeq - 1;
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

export interface AuditCheckpoint {
  seq: number;
  hash: string;
  /** the re-check of events before `seq` has come up to here */
  sweptTo: number;
}

/** What verifyChain needs from a backend. Reads see committed data; no snapshot is needed
 *  because the head is read first and nothing after it is looked at. */
export interface ChainReader {
  head(): Promise<{ seq: number; hash: string }>;
  checkpoint(): Promise<AuditCheckpoint | undefined>;
  /** events with afterSeq < seq <= toSeq, in seq order, at most `limit` */
  range(afterSeq: number, toSeq: number, limit: number): Promise<TimelineEvent[]>;
}

const READ_BATCH = 2_000;
/** older events re-hashed per incremental verification: an edit before the checkpoint is
 *  found within (chain length / SWEEP) verifications, a full one finds it at once */
export const SWEEP = 1_000;
/** ...but the sweep stops after this long (at least SWEEP_MIN events): reading and re-hashing
 *  1,000 events with their payloads took ~100 ms from PostgreSQL, and an incremental
 *  verification is meant to answer within that. The next verification goes on from there. */
const SWEEP_BUDGET_MS = 30;
const SWEEP_MIN = 250;

async function walk(r: ChainReader, v: ChainVerifier, after: number, to: number): Promise<number> {
  return (await walkUntil(r, v, after, to, READ_BATCH, Infinity)).hashed;
}

/** `timedOut`: stopped at the deadline after a full chunk, with more to read */
async function walkUntil(r: ChainReader, v: ChainVerifier, after: number, to: number, chunk: number, deadline: number): Promise<{ hashed: number; timedOut: boolean }> {
  let hashed = 0;
  for (let cursor = after; cursor < to; ) {
    const rows = await r.range(cursor, to, chunk);
    for (const e of rows) {
      if (!v.push(e)) return { hashed, timedOut: false };
      hashed += 1;
    }
    if (rows.length < chunk) break;
    cursor = rows[rows.length - 1].seq;
    if (cursor < to && performance.now() > deadline) return { hashed, timedOut: true };
  }
  return { hashed, timedOut: false };
}

/**
 * Verify the chain up to the current head. Incremental (default): the checkpointed event must
 * still hash to what it did, the events after it must chain on from it, and a slice of the
 * events before it is re-hashed (round robin); full: everything from seq 1. Returns the
 * verdict and, when intact, the checkpoint to store.
 */
export async function verifyChain(r: ChainReader, full: boolean): Promise<{ result: AuditVerification; checkpoint?: AuditCheckpoint }> {
  const head = await r.head();
  const cp = await r.checkpoint();
  if (cp && cp.seq > head.seq) {
    const reason = `the chain ends at seq ${head.seq} but a verification already saw ${cp.seq}: events were removed`;
    return { result: { ok: false, checked: head.seq, brokenAt: head.seq + 1, reason, fromSeq: 0, hashed: 0 } };
  }
  if (full || !cp) {
    const v = new ChainVerifier();
    const hashed = await walk(r, v, 0, head.seq);
    const result = { ...v.finish(head), fromSeq: 0, hashed };
    if (!result.ok) return { result };
    // a chain rewritten from before the checkpoint on hashes consistently, but not to what was verified
    const [at] = cp && cp.seq > 0 ? await r.range(cp.seq - 1, cp.seq, 1) : [];
    if (cp && cp.seq > 0 && at?.hash !== cp.hash) {
      return { result: { ok: false, checked: cp.seq - 1, brokenAt: cp.seq, reason: `event ${cp.seq} no longer has the hash a verification saw: the chain was rewritten`, fromSeq: 0, hashed } };
    }
    return { result, checkpoint: { seq: head.seq, hash: head.hash, sweptTo: cp?.sweptTo ?? 0 } };
  }
  // the checkpointed event itself: still there, still its hash, content unchanged
  const [at] = cp.seq > 0 ? await r.range(cp.seq - 1, cp.seq, 1) : [];
  if (cp.seq > 0 && (!at || at.seq !== cp.seq || at.hash !== cp.hash || chainHash(at.prevHash, at) !== at.hash)) {
    return { result: { ok: false, checked: cp.seq - 1, brokenAt: cp.seq, reason: `event ${cp.seq} no longer matches the verified checkpoint`, fromSeq: cp.seq, hashed: at ? 1 : 0 } };
  }
  const v = new ChainVerifier(cp);
  let hashed = await walk(r, v, cp.seq, head.seq);
  const result = v.finish(head);
  if (!result.ok) return { result: { ...result, fromSeq: cp.seq, hashed } };
  // the sweep: re-hash a slice of the events before the checkpoint, where the last one ended
  let sweptTo = cp.sweptTo;
  if (cp.seq > 1) {
    const start = sweptTo >= cp.seq - 1 ? 0 : sweptTo;
    const end = Math.min(cp.seq, start + SWEEP);
    const [before] = start > 0 ? await r.range(start - 1, start, 1) : [];
    const broken = (at: number, reason: string): { result: AuditVerification } => ({
      result: { ok: false, checked: at - 1, brokenAt: at, reason: `${reason} (found re-checking older events)`, fromSeq: cp.seq, hashed },
    });
    if (start > 0 && before?.seq !== start) return broken(start, `seq ${start} missing`);
    const sweep = new ChainVerifier(before ? { seq: start, hash: before.hash } : undefined);
    const w = await walkUntil(r, sweep, start, end, SWEEP_MIN, performance.now() + SWEEP_BUDGET_MS);
    hashed += w.hashed;
    const s = sweep.finish();
    if (!s.ok) return broken(s.brokenAt ?? start + 1, s.reason ?? 'broken');
    // stopped by the budget: intact up to where it got, the next verification goes on from there
    const reached = w.timedOut ? sweep.lastSeq() : end;
    if (sweep.lastSeq() !== reached) return broken(sweep.lastSeq() + 1, `seq ${sweep.lastSeq() + 1} missing`);
    sweptTo = reached;
  }
  return { result: { ...result, fromSeq: cp.seq, hashed }, checkpoint: { seq: head.seq, hash: head.hash, sweptTo } };
}
