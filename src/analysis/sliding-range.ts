// Minimum and maximum of the last `capacity` values, O(1) amortised per value (monotonic deques over
// a ring of arrival indices). Written by hand: it is a dozen lines, and a sorted window (O(n) per
// push) would cost the detector most of its time for the same two numbers.

export class SlidingRange {
  private readonly values: Float64Array;
  /** arrival indices whose values are candidates for the max (values decreasing) / min (increasing) */
  private readonly maxQ: Float64Array;
  private readonly minQ: Float64Array;
  private maxHead = 0;
  private maxTail = 0;
  private minHead = 0;
  private minTail = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
    // each deque holds at most `capacity` indices; +1 so head === tail means empty
    this.maxQ = new Float64Array(capacity + 1);
    this.minQ = new Float64Array(capacity + 1);
  }

  /** Values currently in the window. */
  get size(): number {
    return Math.min(this.count, this.capacity);
  }

  private at(i: number): number {
    return this.values[i % this.capacity];
  }

  push(x: number): void {
    const i = this.count++;
    const cap = this.capacity;
    const qn = cap + 1;
    this.values[i % cap] = x;
    const oldest = i - cap + 1;
    // drop indices that left the window, then values the new one dominates
    while (this.maxHead !== this.maxTail && this.maxQ[this.maxHead] < oldest) this.maxHead = (this.maxHead + 1) % qn;
    while (this.maxHead !== this.maxTail && this.at(this.maxQ[(this.maxTail + qn - 1) % qn]) <= x) this.maxTail = (this.maxTail + qn - 1) % qn;
    this.maxQ[this.maxTail] = i;
    this.maxTail = (this.maxTail + 1) % qn;
    while (this.minHead !== this.minTail && this.minQ[this.minHead] < oldest) this.minHead = (this.minHead + 1) % qn;
    while (this.minHead !== this.minTail && this.at(this.minQ[(this.minTail + qn - 1) % qn]) >= x) this.minTail = (this.minTail + qn - 1) % qn;
    this.minQ[this.minTail] = i;
    this.minTail = (this.minTail + 1) % qn;
  }

  max(): number {
    return this.count === 0 ? Number.NaN : this.at(this.maxQ[this.maxHead]);
  }

  min(): number {
    return this.count === 0 ? Number.NaN : this.at(this.minQ[this.minHead]);
  }
}
