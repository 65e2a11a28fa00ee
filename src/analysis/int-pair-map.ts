// A hash map keyed by a pair of 32-bit integers (open addressing, linear probing). The template
// miner keys its holes by two 32-bit hashes and opens tens of thousands of them while it learns a
// new log source; a built-in Map would need the pair packed into one boxed 53-bit number or a
// string per lookup. Here the table is three typed arrays (both key halves and the value's index)
// and values sit in a dense array, so a lookup allocates nothing and growing the table only moves
// integers.

// a miner learning one log source opens thousands of holes: start past the first few doublings
const INITIAL = 1024;

export class IntPairMap<V> {
  private ka = new Int32Array(INITIAL);
  private kb = new Int32Array(INITIAL);
  /** 1 + index into vals; 0 marks an empty slot */
  private at = new Int32Array(INITIAL);
  private readonly vals: V[] = [];

  get size(): number {
    return this.vals.length;
  }

  get(a: number, b: number): V | undefined {
    const mask = this.at.length - 1;
    a |= 0;
    b |= 0;
    for (let i = slot(a, b) & mask; ; i = (i + 1) & mask) {
      const k = this.at[i];
      if (k === 0) return undefined;
      if (this.ka[i] === a && this.kb[i] === b) return this.vals[k - 1];
    }
  }

  set(a: number, b: number, v: V): void {
    a |= 0;
    b |= 0;
    const mask = this.at.length - 1;
    let i = slot(a, b) & mask;
    for (; this.at[i] !== 0; i = (i + 1) & mask) {
      if (this.ka[i] === a && this.kb[i] === b) {
        this.vals[this.at[i] - 1] = v;
        return;
      }
    }
    this.vals.push(v);
    this.ka[i] = a;
    this.kb[i] = b;
    this.at[i] = this.vals.length;
    // keep the load under 1/2 so probe runs stay short
    if (this.vals.length * 2 > this.at.length) this.grow();
  }

  private grow(): void {
    const { ka, kb, at } = this;
    const cap = at.length * 2;
    const mask = cap - 1;
    this.ka = new Int32Array(cap);
    this.kb = new Int32Array(cap);
    this.at = new Int32Array(cap);
    // keys are distinct: each goes to the first free slot of its probe run, no comparisons needed
    for (let j = 0; j < at.length; j++) {
      if (at[j] === 0) continue;
      let i = slot(ka[j], kb[j]) & mask;
      while (this.at[i] !== 0) i = (i + 1) & mask;
      this.ka[i] = ka[j];
      this.kb[i] = kb[j];
      this.at[i] = at[j];
    }
  }
}

/** Mix both halves: keys are sums of hashes whose low bits alone may cluster. */
function slot(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}
