// The digit skeleton of a text: the text with every digit that does not follow a letter in its
// alphanumeric run read as '0' (10.0.0.12 -> 00.0.0.00, blk_-123 -> blk_-000, but ssh2 and
// jk2_init stay). Masking (log-mask.ts) decides only by character classes and lengths, never by
// which digit is where, and the only digits it ever keeps are in runs that start with a letter
// (names such as ssh2, wl0, IPV6; a run that starts with a digit is always a value). So two texts
// with the same skeleton mask to exactly the same tokens. The miner (whole messages, here) and
// the masker (single tokens, computed inline while it scans: log-mask.ts) use that to skip work
// for a shape they have seen, through a hash of the skeleton confirmed by a compare.
import { detached } from './detached.js';

// Long texts are hashed from their UTF-8 bytes: TextEncoder.encodeInto copies a string into a
// buffer natively, and a loop over a Uint8Array is much cheaper than one charCodeAt per character
// (the hash is on the hot path of every log line). Short texts skip the call, whose fixed cost
// outweighs the loop.
const encoder = new TextEncoder();
const SCRATCH = 1 << 14;
const SHORT = 24;

const isDigit = (c: number): boolean => (c - 48) >>> 0 < 10;
const isLetter = (c: number): boolean => ((c | 32) - 97) >>> 0 < 26;

// Per character (or UTF-8 byte): 1 = preMask (log-mask.ts) looks for it (quotes open quoted
// values, '-' is in every UUID); 2 = lead byte 0xEF, see foldHash.
const MARKS = new Uint8Array(256);
for (const c of '"\'`-') MARKS[c.charCodeAt(0)] = 1;
MARKS[0xef] = 2;

/** Set in a skeleton hash when the text has a quote or a '-': preMask may change it. */
export const MAY_PREMASK = 1 << 29;

/** Bytes of the skeleton foldHash left in its buffer, or -1 when the text must be compared as a string. */
let foldedBytes = -1;

/**
 * Hash of a text's digit skeleton in 29 bits, plus MAY_PREMASK: small enough to stay an unboxed
 * map key. Computed in one pass without building the skeleton string; the flag comes from the same
 * pass, so a line that preMask would leave alone costs no other scan. A long text's skeleton is
 * left in `buf` as UTF-8 bytes (digits folded) for a byte compare, unless it could not be trusted
 * to stand for the text: cut at the buffer's end, or with a 0xEF lead byte (encodeInto writes a
 * lone surrogate as U+FFFD, EF BF BD, so two different texts could give the same bytes).
 */
function foldHash(s: string, buf: Uint8Array): number {
  let h = 0x811c9dc5 ^ s.length;
  let afterLetter = false;
  let marks = 0;
  foldedBytes = -1;
  if (s.length < SHORT) {
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (isDigit(c)) {
        if (!afterLetter) c = 48;
      } else {
        afterLetter = isLetter(c);
        if (c < 256) marks |= MARKS[c];
      }
      h = Math.imul(h ^ c, 0x01000193);
    }
  } else {
    // non-ASCII characters become bytes >= 0x80: not letters, as for the masker
    const n = encoder.encodeInto(s, buf).written;
    for (let i = 0; i < n; i++) {
      let c = buf[i];
      if (isDigit(c)) {
        if (!afterLetter) buf[i] = c = 48;
      } else {
        afterLetter = isLetter(c);
        marks |= MARKS[c];
      }
      h = Math.imul(h ^ c, 0x01000193);
    }
    const cut = n >= buf.length - 4;
    // the flag must not depend on where a long text was cut: look at the rest natively
    if (cut && (marks & 1) === 0 && /["'`-]/.test(s)) marks |= 1;
    if (!cut && (marks & 2) === 0) foldedBytes = n;
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return ((h ^ (h >>> 12)) & (MAY_PREMASK - 1)) | ((marks & 1) === 0 ? 0 : MAY_PREMASK);
}

const scratch = new Uint8Array(SCRATCH);

/**
 * Hash of a text's digit skeleton (see foldHash). Only a lookup hint: a hit must be confirmed
 * (sameSkeleton, or SkeletonCache's compare), so a collision costs a miss, never a wrong answer.
 */
export function skeletonHash(s: string): number {
  return foldHash(s, scratch);
}

/** Same digit skeleton: equal except for digits that do not follow a letter. */
export function sameSkeleton(a: string, b: string): boolean {
  if (a === b) return true; // native comparison: exact repeats skip the character loop
  return a.length === b.length && sameSkeletonAt(a, b, 0);
}

/**
 * sameSkeleton(a, b.slice(s, s + a.length)) without the slice, for the masker's tokens (the
 * caller checks that b holds a.length characters from s).
 */
export function sameSkeletonAt(a: string, b: string, s: number): boolean {
  let afterLetter = false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(s + i);
    if (isDigit(x)) {
      if (x !== y && (afterLetter || !isDigit(y))) return false;
    } else {
      if (x !== y) return false;
      afterLetter = isLetter(x);
    }
  }
  return true;
}

/**
 * Digit skeleton -> value, for the lines of one miner. Bounded: cleared when full (entries or
 * bytes), which only costs recomputing values. A long line's skeleton is kept as UTF-8 bytes in
 * one arena and confirmed by a byte compare against the bytes hash() just folded: no string is
 * kept (nothing pins the input the line was cut from) and a hit never reads a string character by
 * character. Short or untrusted texts (see foldHash) are kept and compared as strings.
 *
 * Use: h = hash(text), then get(h), then possibly set(h, value), for the same text.
 */
export class SkeletonCache<V> {
  private readonly buf = new Uint8Array(SCRATCH);
  private text = '';
  private bytes = -1;
  private readonly slots = new Map<number, number>();
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  /** entry -> start of its bytes in the arena, and their count (-1: a string entry) */
  private readonly start: number[] = [];
  private readonly len: number[] = [];
  private readonly str: (string | null)[] = [];
  private readonly val: V[] = [];

  constructor(
    private readonly maxEntries = 1 << 16,
    private readonly maxBytes = 1 << 22,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  /** Skeleton hash of `text` (with MAY_PREMASK); remembers the text for get and set. */
  hash(text: string): number {
    const h = foldHash(text, this.buf);
    this.text = text;
    this.bytes = foldedBytes;
    return h;
  }

  /** The value stored for the skeleton of the text last passed to hash (whose hash is h). */
  get(h: number): V | undefined {
    const e = this.slots.get(h);
    if (e === undefined) return undefined;
    const t = this.str[e];
    if (t !== null) return sameSkeleton(t, this.text) ? this.val[e] : undefined;
    // a byte-form entry can only equal a text that has a byte form too (see foldHash)
    const n = this.bytes;
    if (n < 0 || this.len[e] !== n) return undefined;
    const a = this.arena;
    const b = this.buf;
    const o = this.start[e];
    for (let i = 0; i < n; i++) if (a[o + i] !== b[i]) return undefined;
    return this.val[e];
  }

  /** Store v for the skeleton of the text last passed to hash (whose hash is h). */
  set(h: number, v: V): void {
    const n = this.bytes;
    if (this.val.length >= this.maxEntries || (n > 0 && this.used + n > this.maxBytes)) this.clear();
    if (n > 0 && this.used + n > this.arena.length) {
      const bigger = new Uint8Array(Math.min(this.maxBytes, Math.max(this.arena.length * 2, this.used + n)));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
    }
    this.start.push(this.used);
    this.len.push(n);
    if (n >= 0) {
      // (a plain loop: lines are short, and subarray + set would allocate a view per store)
      const a = this.arena;
      const b = this.buf;
      for (let i = 0, o = this.used; i < n; i++) a[o + i] = b[i];
      this.used += n;
      this.str.push(null);
    } else this.str.push(detached(this.text));
    this.slots.set(h, this.val.length);
    this.val.push(v);
  }

  private clear(): void {
    this.slots.clear();
    this.used = 0;
    this.start.length = 0;
    this.len.length = 0;
    this.str.length = 0;
    this.val.length = 0;
  }
}
