// The digit skeleton of a text: the text with every digit read as '0'. Masking (log-mask.ts)
// decides only by character classes and lengths, never by which digit is where, so two texts
// with the same skeleton mask alike, and when the masked result keeps no digit at all it is the
// same result. Both the miner (whole messages) and the masker (single tokens) use that to skip
// work for a shape they have seen, through a hash of the skeleton confirmed by a compare.

// Long texts are hashed from their UTF-8 bytes: TextEncoder.encodeInto copies a string into a
// reused buffer natively, and a loop over a Uint8Array is much cheaper than one charCodeAt per
// character (the hash is on the hot path of every log line). Short texts (tokens) skip the call.
const encoder = new TextEncoder();
const bytes = new Uint8Array(1 << 14);
const SHORT = 24;

/**
 * 30-bit hash of a text's digit skeleton, small enough to stay an unboxed map key. Computed in
 * one pass without building the skeleton string. Only a lookup hint: a hit must be confirmed with
 * sameSkeleton (a collision then costs a miss, never a wrong answer), which is also why hashing
 * only the first 16 KB of a longer text is fine.
 */
export function skeletonHash(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  if (s.length < SHORT) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h = Math.imul(h ^ ((c - 48) >>> 0 < 10 ? 48 : c), 0x01000193); // any digit counts as '0'
    }
  } else {
    const n = encoder.encodeInto(s, bytes).written;
    for (let i = 0; i < n; i++) {
      const c = bytes[i];
      h = Math.imul(h ^ ((c - 48) >>> 0 < 10 ? 48 : c), 0x01000193);
    }
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) & 0x3fffffff;
}

/** Same text once every digit is read as '0'. */
export function sameSkeleton(a: string, b: string): boolean {
  if (a === b) return true; // native comparison: exact repeats skip the character loop
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y && !((x - 48) >>> 0 < 10 && (y - 48) >>> 0 < 10)) return false;
  }
  return true;
}
