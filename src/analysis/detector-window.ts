// Sliding window of the last `capacity` numbers kept both in arrival order (ring) and sorted, so
// each step can ask "how many past values are below / above x" in O(log n) and slide in O(n)
// memmove. Written by hand: no maintained order-statistics structure is worth a dependency for a
// few hundred lines of numbers, and a typed array memmove is faster than a tree at this size.

export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private n = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Add x, evicting the oldest value when full. */
  push(x: number): void {
    if (this.n === this.capacity) {
      const old = this.ring[this.head];
      const k = this.lowerBound(old);
      this.sorted.copyWithin(k, k + 1, this.n);
      this.n--;
    }
    const k = this.lowerBound(x);
    this.sorted.copyWithin(k + 1, k, this.n);
    this.sorted[k] = x;
    this.n++;
    this.ring[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
  }

  /** Number of values < x. */
  lowerBound(x: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Number of values <= x. */
  upperBound(x: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** q-quantile (0..1) of the values, nearest rank. */
  quantile(q: number): number {
    if (this.n === 0) return Number.NaN;
    return this.sorted[Math.min(this.n - 1, Math.max(0, Math.round(q * (this.n - 1))))];
  }

  min(): number {
    return this.sorted[0];
  }

  max(): number {
    return this.sorted[this.n - 1];
  }

  /**
   * Two-sided tail probability of x among the window: twice the smaller of the shares at-or-below
   * and at-or-above (ties count half), with one pseudo-count so it is never 0.
   */
  twoSidedTail(x: number): number {
    const below = this.lowerBound(x);
    const atOrBelow = this.upperBound(x);
    const ties = atOrBelow - below;
    const lower = below + 0.5 * ties;
    const upper = this.n - atOrBelow + 0.5 * ties;
    // doubled (a two-sided p-value): a value at the median has tail 1, i.e. no surprise
    return Math.min(1, (2 * Math.min(lower, upper) + 1) / (this.n + 1));
  }

  /** Upper tail probability of x: share of values >= x (ties count fully, so a value equal to all
   * history is no surprise), never 0. */
  upperTail(x: number): number {
    return (this.n - this.lowerBound(x) + 1) / (this.n + 1);
  }
}
