// Mean and variance of the last `capacity` values, O(1) per value: a ring with Welford-style running
// updates (a value leaving and one arriving), which stay accurate on a large level where sums of
// squares would cancel. Pure; the same values in the same order always give the same numbers.

export class SlidingMoments {
  private readonly ring: Float64Array;
  private n = 0;
  private avg = 0;
  /** sum of squared deviations from the mean */
  private m2 = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
  }

  /** Values currently in the window. */
  get size(): number {
    return Math.min(this.n, this.capacity);
  }

  /** Values seen in all. */
  get seen(): number {
    return this.n;
  }

  push(x: number): void {
    const i = this.n % this.capacity;
    let k = this.size;
    if (this.n >= this.capacity) {
      const old = this.ring[i];
      if (k === 1) {
        this.avg = 0;
        this.m2 = 0;
      } else {
        const d = old - this.avg;
        this.avg -= d / (k - 1);
        this.m2 -= d * (old - this.avg);
      }
      k--;
    }
    this.ring[i] = x;
    this.n++;
    const d = x - this.avg;
    this.avg += d / (k + 1);
    this.m2 += d * (x - this.avg);
  }

  /** NaN when empty. */
  mean(): number {
    return this.size === 0 ? Number.NaN : this.avg;
  }

  /** Population variance (never negative, whatever the rounding). */
  variance(): number {
    return this.size === 0 ? Number.NaN : Math.max(0, this.m2 / this.size);
  }
}
