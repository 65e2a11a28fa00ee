// A hash map keyed by a pair of 32-bit integers (open addressing, linear probing). The template
// miner keys its holes by two 32-bit hashes and opens tens of thousands of them while it learns a
// new log source; a built-in Map would need the pair packed into one boxed 53-bit number or a
// string per lookup, and grows and rehashes a heavier structure. Here a lookup touches two typed
// arrays and allocates nothing.

export class IntPairMap<V> {
  private ka = new Int32Array(64);
  private kb = new Int32Array(64);
  private vals: (V | undefined)[] = new Array<V | undefined>(64).fill(undefined);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(a: number, b: number): V | undefined {
    const mask = this.ka.length - 1;
    a |= 0;
    b |= 0;
    for (let i = slot(a, b) & mask; ; i = (i + 1) & mask) {
      const v = this.vals[i];
      if (v === undefined) return undefined;
      if (this.ka[i] === a && this.kb[i] === b) return v;
    }
  }

  /** Set the value of (a, b); `v` must not be undefined (undefined marks an empty slot). */
  set(a: number, b: number, v: V): void {
    // keep the load under 1/2 so probe runs stay short
    if ((this.count + 1) * 2 > this.ka.length) this.grow();
    a |= 0;
    b |= 0;
    const mask = this.ka.length - 1;
    let i = slot(a, b) & mask;
    while (this.vals[i] !== undefined) {
      if (this.ka[i] === a && this.kb[i] === b) {
        this.vals[i] = v;
        return;
      }
      i = (i + 1) & mask;
    }
    this.ka[i] = a;
    this.kb[i] = b;
    this.vals[i] = v;
    this.count++;
  }

  private grow(): void {
    const { ka, kb, vals } = this;
    const cap = ka.length * 2;
    this.ka = new Int32Array(cap);
    this.kb = new Int32Array(cap);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.count = 0;
    for (let i = 0; i < ka.length; i++) {
      const v = vals[i];
      if (v !== undefined) this.set(ka[i], kb[i], v);
    }
  }
}

/** Mix both halves: keys are sums of hashes whose low bits alone may cluster. */
function slot(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}
