// The digit skeleton of a text: the text with every digit that does not follow a letter in its
// alphanumeric run read as '0' (10.0.0.12 -> 00.0.0.00, blk_-123 -> blk_-000, but ssh2 and
// jk2_init stay). Masking (log-mask.ts) decides only by character classes and lengths, never by
// which digit is where, and the only digits it ever keeps are in runs that start with a letter
// (names such as ssh2, wl0, IPV6; a run that starts with a digit is always a value). So two texts
// with the same skeleton mask to exactly the same tokens. The miner (whole messages, here) and
// the masker (single tokens, computed inline while it scans: log-mask.ts) use that to skip work
// for a shape they have seen, through a hash of the skeleton confirmed by a compare.

// Long texts are hashed from their UTF-8 bytes: TextEncoder.encodeInto copies a string into a
// reused buffer natively, and a loop over a Uint8Array is much cheaper than one charCodeAt per
// character (the hash is on the hot path of every log line). Short texts skip the call, whose
// fixed cost outweighs the loop.
const encoder = new TextEncoder();
const bytes = new Uint8Array(1 << 14);
const SHORT = 24;

const isDigit = (c: number): boolean => (c - 48) >>> 0 < 10;
const isLetter = (c: number): boolean => ((c | 32) - 97) >>> 0 < 26;

// Characters preMask (log-mask.ts) looks for: quotes open quoted values, '-' is in every UUID.
const MARKS = new Uint8Array(256);
for (const c of '"\'`-') MARKS[c.charCodeAt(0)] = 1;

/** Set in a skeletonHash result when the text has a quote or a '-': preMask may change it. */
export const MAY_PREMASK = 1 << 29;

/**
 * Hash of a text's digit skeleton in 29 bits, plus MAY_PREMASK: small enough to stay an unboxed
 * map key. Computed in one pass without building the skeleton string; the flag comes from the same
 * pass, so a line that preMask would leave alone costs no other scan. Only a lookup hint: a hit
 * must be confirmed with sameSkeleton (a collision then costs a miss, never a wrong answer), which
 * is also why hashing only the first 16 KB of a longer text is fine.
 */
export function skeletonHash(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  let afterLetter = false;
  let marks = 0;
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
    const n = encoder.encodeInto(s, bytes).written;
    for (let i = 0; i < n; i++) {
      let c = bytes[i];
      if (isDigit(c)) {
        if (!afterLetter) c = 48;
      } else {
        afterLetter = isLetter(c);
        marks |= MARKS[c];
      }
      h = Math.imul(h ^ c, 0x01000193);
    }
    // the flag must not depend on where a long text was cut: look at the rest natively
    if (marks === 0 && n >= bytes.length - 4) marks = /["'`-]/.test(s) ? 1 : 0;
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return ((h ^ (h >>> 12)) & (MAY_PREMASK - 1)) | (marks === 0 ? 0 : MAY_PREMASK);
}

/** Same digit skeleton: equal except for digits that do not follow a letter. */
export function sameSkeleton(a: string, b: string): boolean {
  if (a === b) return true; // native comparison: exact repeats skip the character loop
  if (a.length !== b.length) return false;
  let afterLetter = false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (isDigit(x)) {
      if (x !== y && (afterLetter || !isDigit(y))) return false;
    } else {
      if (x !== y) return false;
      afterLetter = isLetter(x);
    }
  }
  return true;
}
