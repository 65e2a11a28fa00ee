// The skeleton of a text: what masking (log-mask.ts) can see of it. Masking judges an
// alphanumeric run as a whole: a run that starts with a digit (10, 0x1f, 3ms, 87T79) or is 6+ hex
// characters with a digit (a489c868f0, deadbeef12) is a value, masked whole, and its rules never
// ask which of its characters are digits and which hex letters (only whether a run is a value,
// how long it is, and whether it holds other letters); the letters and digits of any other run
// (names: ssh2, wl0, CPU25, jk2_init) are kept as they are. So in the skeleton a value run is read
// as '0' for each digit or hex letter and 'g' for any other letter, and every other character as
// itself, and two texts with the same skeleton mask to exactly the same tokens. The miner uses
// that to find the group of a line whose shape it has seen without masking it again, through a
// hash of the skeleton confirmed by a compare; live logs whose lines differ only in their numbers,
// hex ids and addresses then cost one pass each.
// (The masker's own per-token cache uses the finer digit skeleton of sameSkeletonAt.)
import { detached } from './detached.js';

// Texts are hashed from their UTF-8 bytes: TextEncoder.encodeInto copies a string into a buffer
// natively, and a loop over a Uint8Array is much cheaper than one charCodeAt per character (the
// hash is on the hot path of every log line). Short ASCII texts are copied by a loop instead: the
// call's fixed cost outweighs it.
const encoder = new TextEncoder();
const SCRATCH = 1 << 14;
const SHORT = 24;

const isDigit = (c: number): boolean => (c - 48) >>> 0 < 10;
const isLetter = (c: number): boolean => ((c | 32) - 97) >>> 0 < 26;

// Per character (or UTF-8 byte): its class as a bit (digit, hex letter, other letter; NOT_ALNUM for
// the rest, non-ASCII included, as for the masker) and how a value run reads it: digits and hex
// letters alike ('0'), any other letter as 'g'.
const DIGIT = 1;
const HEX_LETTER = 2;
const OTHER_LETTER = 4;
const NOT_ALNUM = 8;
const BITS = new Uint8Array(256).fill(NOT_ALNUM);
const FOLD = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  FOLD[c] = c;
  if (isDigit(c)) {
    BITS[c] = DIGIT;
    FOLD[c] = 48;
  } else if (isLetter(c)) {
    const hex = ((c | 32) - 97) >>> 0 < 6;
    BITS[c] = hex ? HEX_LETTER : OTHER_LETTER;
    FOLD[c] = hex ? 48 : 103;
  }
}
const classOf = (c: number): number => (c < 256 ? BITS[c] : NOT_ALNUM);
const HEX_RUN = 6;

/** A value run: starts with a digit, or is 6+ hex characters with a digit (first: the first character's bit, seen: all bits). */
const isValueRun = (first: number, seen: number, len: number): boolean => first === DIGIT || ((seen & (DIGIT | OTHER_LETTER)) === DIGIT && len >= HEX_RUN);

// Per character (or UTF-8 byte): 1 = preMask (log-mask.ts) may change the text from here (16: it is
// a quote, which opens quoted values); 4 = a '-', which does when it starts a UUID's dash layout;
// 2 = lead byte 0xEF, see foldHash.
const MARKS = new Uint8Array(256);
for (const c of '"\'`') MARKS[c.charCodeAt(0)] = 1 | 16;
MARKS[45] = 4;
MARKS[0xef] = 2;

/** Set in a skeleton hash when preMask may change the text (a quote, or dashes laid out as in a UUID). */
export const MAY_PREMASK = 1 << 29;

/** Bytes of the skeleton foldHash left in its buffer, or -1 when the text must be compared as a string (see foldHash). */
let foldedBytes = -1;

const mix = (h: number, c: number): number => Math.imul(h ^ c, 0x01000193);

/**
 * Hash of a text's skeleton in 29 bits, plus MAY_PREMASK: small enough to stay an unboxed map
 * key. Computed in one pass over runs without building the skeleton string; the flag comes from
 * the same pass, so a line that preMask would leave alone costs no other scan. The skeleton is
 * left in `buf` as UTF-8 bytes (value runs folded) for a byte compare, unless it could not be
 * trusted to stand for the text: cut at the buffer's end, or with a 0xEF lead byte (encodeInto
 * writes a lone surrogate as U+FFFD, EF BF BD, so two different texts could give the same bytes).
 */
function foldHash(s: string, buf: Uint8Array): number {
  foldedBytes = -1;
  // (isAscii copies a short ASCII text itself)
  const n = s.length < SHORT && isAscii(s, buf) ? s.length : encoder.encodeInto(s, buf).written;
  const cut = n >= buf.length - 4;
  let h = foldBytes(buf, 0, n, buf);
  // the flag must not depend on where a long text was cut: look at the rest natively
  if (cut && (h & MAY_PREMASK) === 0 && /["'`-]/.test(s)) h |= MAY_PREMASK;
  if (!cut && !foldUntrusted) foldedBytes = n;
  return h;
}

/** Whether s is ASCII; if so it is copied into buf as bytes. */
function isAscii(s: string, buf: Uint8Array): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) return false;
    buf[i] = c;
  }
  return true;
}

/** Whether the last foldBytes saw a 0xEF byte (see foldHash). */
let foldUntrusted = false;
/** Whether the last foldBytes saw a quote (else MAY_PREMASK means a UUID's dash layout only). */
let foldQuoted = false;

/**
 * The skeleton hash of the UTF-8 bytes src[s, e), their skeleton written to dst from 0 (dst may be
 * src when s is 0: folding in place). Bytes and characters of an ASCII text hash alike.
 */
function foldBytes(src: Uint8Array, s: number, e: number, dst: Uint8Array): number {
  const n = e - s;
  let h = 0x811c9dc5 ^ n;
  let marks = 0;
  let i = 0;
  while (i < n) {
    let c = src[s + i];
    let b = BITS[c];
    if (b === NOT_ALNUM) {
      const m = MARKS[c];
      if (m === 4) {
        // a '-' followed by three more 5 apart: the 8-4-4-4-12 layout preMask's UUID rule needs
        if (i + 15 < n && src[s + i + 5] === 45 && src[s + i + 10] === 45 && src[s + i + 15] === 45) marks |= 9;
      } else marks |= m;
      dst[i] = c;
      h = mix(h, c);
      i++;
      continue;
    }
    // a run: copied and hashed as is in one pass; a value run is then folded and hashed again
    // from where it started (value runs are the short part of a line; words are most of it)
    const start = i;
    const h0 = h;
    const first = b;
    let seen = 0;
    for (;;) {
      dst[i] = c;
      h = mix(h, c);
      seen |= b;
      if (++i >= n) break;
      c = src[s + i];
      b = BITS[c];
      if (b === NOT_ALNUM) break;
    }
    if (isValueRun(first, seen, i - start)) {
      h = h0;
      for (let k = start; k < i; k++) {
        const f = FOLD[dst[k]];
        dst[k] = f;
        h = mix(h, f);
      }
    }
  }
  foldUntrusted = (marks & 2) !== 0;
  foldQuoted = (marks & 16) !== 0;
  return finish(h, marks);
}

function finish(h: number, marks: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return ((h ^ (h >>> 12)) & (MAY_PREMASK - 1)) | ((marks & 1) === 0 ? 0 : MAY_PREMASK);
}

const scratch = new Uint8Array(SCRATCH);

/**
 * Hash of a text's skeleton (see foldHash). Only a lookup hint: a hit must be confirmed
 * (sameSkeleton, or SkeletonCache's compare), so a collision costs a miss, never a wrong answer.
 */
export function skeletonHash(s: string): number {
  return foldHash(s, scratch);
}

/** Same skeleton: equal except inside value runs, where only classes must agree. */
export function sameSkeleton(a: string, b: string): boolean {
  if (a === b) return true; // native comparison: exact repeats skip the character loop
  const n = a.length;
  if (b.length !== n) return false;
  for (let i = 0; i < n; ) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    const firstA = classOf(x);
    const firstB = classOf(y);
    if (firstA === NOT_ALNUM || firstB === NOT_ALNUM) {
      if (x !== y) return false;
      i++;
      continue;
    }
    // the runs at i in both texts: same extent, same kind, then equal (folded or as is)
    let seenA = 0;
    let seenB = 0;
    let j = i;
    for (; j < n; j++) {
      const ka = classOf(a.charCodeAt(j));
      const kb = classOf(b.charCodeAt(j));
      if (ka === NOT_ALNUM || kb === NOT_ALNUM) {
        if (ka !== kb) return false;
        break;
      }
      seenA |= ka;
      seenB |= kb;
    }
    const fold = isValueRun(firstA, seenA, j - i);
    if (fold !== isValueRun(firstB, seenB, j - i)) return false;
    if (fold) {
      for (; i < j; i++) if (FOLD[a.charCodeAt(i)] !== FOLD[b.charCodeAt(i)]) return false;
    } else {
      for (; i < j; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
    }
  }
  return true;
}

/**
 * The finer digit skeleton the masker's token cache uses (log-mask.ts): equal except for digits
 * that do not follow a letter in their run (10.0.0.12 and 99.1.2.30 agree; ssh2 and ssh3 do not).
 * Compares a with b.slice(s, s + a.length) without the slice (the caller checks that b holds
 * a.length characters from s).
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
  private readonly buf32 = new Int32Array(this.buf.buffer);
  /** the text last hashed; null when it was given as bytes (hashBytes) */
  private text: string | null = '';
  private bytes = -1;
  // hash -> entry: open addressing over two typed arrays (a lookup allocates nothing and costs a
  // probe or two; a Map of number keys costs several times that on every line)
  private keys = new Int32Array(1024);
  /** 1 + entry, 0 for an empty slot */
  private at = new Int32Array(1024);
  /** entries' bytes, each starting at a multiple of 4 so a compare goes a word at a time */
  private arena = new Uint8Array(1 << 16);
  private arena32 = new Int32Array(this.arena.buffer);
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
    return this.val.length;
  }

  /** Skeleton hash of `text` (with MAY_PREMASK); remembers the text for get and set. */
  hash(text: string): number {
    const h = foldHash(text, this.buf);
    this.text = text;
    this.bytes = foldedBytes;
    return h;
  }

  /**
   * Skeleton hash of the UTF-8 bytes src[s, e) of a line (with MAY_PREMASK), for get and set as
   * hash does for a string; or -1 when the line is too long to be taken as bytes (use hash). Lines
   * read from a file need no string on a hit. Byte entries and string hashes agree for the same
   * text, so the two ways of adding can share one cache.
   */
  hashBytes(src: Uint8Array, s: number, e: number): number {
    if (e - s > this.buf.length - 4) return -1;
    const h = foldBytes(src, s, e, this.buf);
    this.text = null;
    this.bytes = e - s;
    this.quoted = foldQuoted;
    return h;
  }

  /** Whether the bytes last given to hashBytes hold a quote (see MAY_PREMASK). */
  quoted = false;

  /** The value stored for the skeleton of the text last passed to hash (whose hash is h). */
  get(h: number): V | undefined {
    const e = this.find(h);
    if (e < 0) return undefined;
    const t = this.str[e];
    if (t !== null) return this.text !== null && sameSkeleton(t, this.text) ? this.val[e] : undefined;
    // a byte-form entry can only equal a text that has a byte form too (see foldHash)
    const n = this.bytes;
    if (n < 0 || this.len[e] !== n) return undefined;
    const a = this.arena32;
    const b = this.buf32;
    const o = this.start[e] >> 2;
    const words = n >> 2;
    for (let i = 0; i < words; i++) if (a[o + i] !== b[i]) return undefined;
    const a8 = this.arena;
    const b8 = this.buf;
    for (let i = words << 2, o8 = this.start[e]; i < n; i++) if (a8[o8 + i] !== b8[i]) return undefined;
    return this.val[e];
  }

  /** Store v for the skeleton of the text last passed to hash (whose hash is h). */
  set(h: number, v: V): void {
    const n = this.bytes;
    const room = (n + 3) & ~3;
    if (this.val.length >= this.maxEntries || (n > 0 && this.used + room > this.maxBytes)) this.clear();
    if (n > 0 && this.used + room > this.arena.length) {
      const bigger = new Uint8Array(Math.min(this.maxBytes, Math.max(this.arena.length * 2, this.used + room)));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
      this.arena32 = new Int32Array(bigger.buffer);
    }
    const entry = this.val.length;
    this.start.push(this.used);
    this.len.push(n);
    if (n >= 0) {
      // (a plain loop: lines are short, and subarray + set would allocate a view per store)
      const a = this.arena;
      const b = this.buf;
      for (let i = 0, o = this.used; i < n; i++) a[o + i] = b[i];
      this.used += room;
      this.str.push(null);
    } else this.str.push(detached(this.text ?? ''));
    this.val.push(v);
    this.put(h, entry);
  }

  /** The entry stored under h, or -1. */
  private find(h: number): number {
    const mask = this.at.length - 1;
    for (let i = slotOf(h) & mask; ; i = (i + 1) & mask) {
      const k = this.at[i];
      if (k === 0) return -1;
      if (this.keys[i] === h) return k - 1;
    }
  }

  private put(h: number, entry: number): void {
    if ((this.val.length + 1) * 2 > this.at.length) this.grow();
    const mask = this.at.length - 1;
    let i = slotOf(h) & mask;
    while (this.at[i] !== 0 && this.keys[i] !== h) i = (i + 1) & mask;
    this.keys[i] = h;
    this.at[i] = entry + 1;
  }

  private grow(): void {
    const { keys, at } = this;
    this.keys = new Int32Array(at.length * 2);
    this.at = new Int32Array(at.length * 2);
    const mask = this.at.length - 1;
    for (let j = 0; j < at.length; j++) {
      if (at[j] === 0) continue;
      let i = slotOf(keys[j]) & mask;
      while (this.at[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = keys[j];
      this.at[i] = at[j];
    }
  }

  private clear(): void {
    this.at.fill(0);
    this.used = 0;
    this.start.length = 0;
    this.len.length = 0;
    this.str.length = 0;
    this.val.length = 0;
  }
}

/** Spread a skeleton hash over the table (its low bits are already mixed: see finish). */
const slotOf = (h: number): number => h ^ (h >>> 16);

/**
 * preMask's UUID rule (log-mask.ts) on bytes: src[s, e) copied to dst with every UUID (8-4-4-4-12
 * hex digits, leftmost first, as the regular expression takes them) written "<*>". Returns the
 * length written. For a line without quotes this is all preMask does, so a line with a UUID is
 * looked up by its premasked bytes without becoming a string.
 */
export function maskUuidBytes(src: Uint8Array, s: number, e: number, dst: Uint8Array): number {
  let o = 0;
  let i = s;
  while (i < e) {
    if (i + 36 <= e && isUuidAt(src, i)) {
      dst[o++] = 60; // <
      dst[o++] = 42; // *
      dst[o++] = 62; // >
      i += 36;
    } else dst[o++] = src[i++];
  }
  return o;
}

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

function isUuidAt(b: Uint8Array, i: number): boolean {
  if (b[i + 8] !== 45 || b[i + 13] !== 45 || b[i + 18] !== 45 || b[i + 23] !== 45) return false;
  for (let k = 0; k < 36; k++) if (k !== 8 && k !== 13 && k !== 18 && k !== 23 && HEX[b[i + k]] === 0) return false;
  return true;
}
