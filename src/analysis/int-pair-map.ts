// A hash map keyed by a pair of 32-bit integers (open addressing, linear probing). The template
// miner keys its holes by two 32-bit hashes and opens tens of thousands of them while it learns a
// new log source; a built-in Map would need the pair packed into one boxed 53-bit number or a
// string per lookup, and grows and rehashes a heavier structure. Here a lookup touches two typed
// arrays and allocates nothing.

// a miner learning one log source opens thousands of holes: start past the first few doublings
const INITIAL = 1024;

export class IntPairMap<V> {
  private ka = new Int32Array(INITIAL);
  private kb = new Int32Array(INITIAL);
  private vals: (V | undefined)[] = new Array<V | undefined>(INITIAL).fill(undefined);
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
    const mask = cap - 1;
    this.ka = new Int32Array(cap);
    this.kb = new Int32Array(cap);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    // keys are distinct: each goes to the first free slot of its probe run, no comparisons needed
    for (let j = 0; j < ka.length; j++) {
      const v = vals[j];
      if (v === undefined) continue;
      let i = slot(ka[j], kb[j]) & mask;
      while (this.vals[i] !== undefined) i = (i + 1) & mask;
      this.ka[i] = ka[j];
      this.kb[i] = kb[j];
      this.vals[i] = v;
    }
  }
}

/** Mix both halves: keys are sums of hashes whose low bits alone may cluster. */
function slot(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}
