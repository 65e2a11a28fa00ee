// How far a value leaves the range of its own recent history, in units of that range: 0 inside the
// range, 1 for a value that exceeds the largest one seen by the whole spread of the history. The
// streaming form of the "spatial anomaly" rule Numenta's NAB detector uses (a value outside the
// range seen so far), with a magnitude so that a bigger excursion ranks higher. Scale-free: the same
// number means the same on CPU %, bytes and request counts, and a series whose history already
// holds big swings needs a bigger swing to reach it. Pure and causal.
import { SlidingRange } from './sliding-range.js';

export class Excursion {
  private readonly range: SlidingRange;

  /**
   * @param history values remembered
   * @param twoSided whether falling below the range counts (else only rising above it)
   * @param minSpan smallest spread to divide by, for features whose history can be constant
   *   (a run length that was always 0 would otherwise make a run of 1 a full excursion)
   * @param minHistory values needed before anything counts as an excursion
   */
  constructor(
    history: number,
    private readonly twoSided: boolean,
    private readonly minSpan = 0,
    private readonly minHistory = 8,
  ) {
    this.range = new SlidingRange(history);
  }

  /** Excursion of x beyond the history before it; then x joins the history. */
  update(x: number): number {
    const r = this.range;
    let e = 0;
    if (r.size >= this.minHistory) {
      const lo = r.min();
      const hi = r.max();
      const over = x > hi ? x - hi : this.twoSided && x < lo ? lo - x : 0;
      if (over > 0) {
        const span = Math.max(hi - lo, this.minSpan);
        // a history that never moved: any move is as far out as it gets
        e = span > 0 ? over / span : 1;
      }
    }
    r.push(x);
    return e;
  }
}
