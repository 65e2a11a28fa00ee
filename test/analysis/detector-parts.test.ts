// The detector's building blocks, each usable on its own (the metric judge can share them).
import { describe, expect, it } from 'vitest';
import { AnomalyLikelihood, logScore, normalTail } from '../../src/analysis/anomaly-likelihood.js';
import { Excursion } from '../../src/analysis/excursion.js';
import { CycleMemory, CycleStrength, DAY_MS, WEEK_MS, detectCycle } from '../../src/analysis/seasonality.js';
import { SlidingMoments } from '../../src/analysis/sliding-moments.js';
import { SlidingRange } from '../../src/analysis/sliding-range.js';
import { normal, seededRandom } from '../../src/core/random.js';

const HOUR = 3_600_000;

describe('SlidingRange', () => {
  it('gives the min and max of exactly the last n values', () => {
    const rand = seededRandom(1);
    for (const cap of [1, 2, 7, 50]) {
      const r = new SlidingRange(cap);
      const xs: number[] = [];
      for (let i = 0; i < 600; i++) {
        // runs of equal values and monotone stretches are the deques' edge cases
        const x = i % 97 < 20 ? 5 : i % 89 < 15 ? i : Math.round(rand() * 20);
        r.push(x);
        xs.push(x);
        const last = xs.slice(-cap);
        expect([r.min(), r.max(), r.size]).toEqual([Math.min(...last), Math.max(...last), last.length]);
      }
    }
    expect(new SlidingRange(3).max()).toBeNaN();
  });
});

describe('SlidingMoments', () => {
  it('gives the mean and variance of the last n values', () => {
    const rand = seededRandom(2);
    const m = new SlidingMoments(10);
    expect(m.mean()).toBeNaN();
    const xs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const x = 1e6 + 100 * normal(rand); // a large level: the running sums must not drift
      m.push(x);
      xs.push(x);
      const last = xs.slice(-10);
      const mean = last.reduce((a, b) => a + b, 0) / last.length;
      const variance = last.reduce((a, b) => a + (b - mean) ** 2, 0) / last.length;
      expect(m.mean()).toBeCloseTo(mean, 6);
      if (i > 0) expect(m.variance() / variance).toBeCloseTo(1, 6);
    }
    expect([m.size, m.seen]).toEqual([10, 300]);
  });
});

describe('Excursion', () => {
  it('is 0 inside the range and counts how far out a value is in units of the range', () => {
    const e = new Excursion(100, true);
    for (let i = 0; i < 20; i++) e.update(10 + (i % 11)); // range 10..20
    expect(e.update(15)).toBe(0);
    expect(e.update(25)).toBeCloseTo(0.5); // 5 above the top of a range 10 wide
    expect(e.update(-5)).toBeCloseTo(1); // 15 below the bottom of a range now 15 wide
    const up = new Excursion(100, false);
    for (let i = 0; i < 20; i++) up.update(10 + (i % 11));
    expect(up.update(-100)).toBe(0); // one-sided: falling is not judged
  });

  it('judges nothing before it has a history, and treats a move off a constant history as maximal', () => {
    const e = new Excursion(100, true);
    expect(e.update(1000)).toBe(0);
    const c = new Excursion(100, true);
    for (let i = 0; i < 10; i++) c.update(3);
    expect(c.update(3.001)).toBe(1);
    const floored = new Excursion(100, false, 10);
    for (let i = 0; i < 10; i++) floored.update(0);
    expect(floored.update(2)).toBeCloseTo(0.2); // a spread of at least 10
  });
});

describe('CycleMemory', () => {
  it('answers with the median of the same time in the last three cycles', () => {
    const m = new CycleMemory(DAY_MS, HOUR, 3);
    const t0 = Date.UTC(2026, 0, 1);
    for (let d = 0; d < 3; d++) for (let h = 0; h < 24; h++) m.push(t0 + d * DAY_MS + h * HOUR, h === 9 ? [5, 100, 7][d] : h);
    expect(m.reference(t0 + 3 * DAY_MS + 9 * HOUR)).toBe(7); // the 100 of one day does not count
    expect(m.reference(t0 + 3 * DAY_MS + 4 * HOUR)).toBe(4);
  });

  it('leaves a hole where a sample was missing instead of matching another time', () => {
    const m = new CycleMemory(DAY_MS, HOUR, 3);
    const t0 = Date.UTC(2026, 0, 1);
    for (let h = 0; h < 24; h++) if (h !== 9) m.push(t0 + h * HOUR, h);
    expect(m.reference(t0 + DAY_MS + 9 * HOUR)).toBeNaN();
    expect(m.reference(t0 + DAY_MS + 10 * HOUR)).toBe(10);
    // a value from 5 days ago is older than 3 cycles: not a reference
    expect(m.reference(t0 + 5 * DAY_MS + 10 * HOUR)).toBeNaN();
    expect(new CycleMemory(DAY_MS, DAY_MS).trackable).toBe(false); // one slot per cycle is no cycle
  });
});

describe('cycle strength', () => {
  const rand = seededRandom(4);
  const step = 15 * 60_000;
  const t0 = Date.UTC(2026, 0, 5); // a Monday
  const make = (f: (t: number) => number, days = 21) => Array.from({ length: (days * DAY_MS) / step }, (_, i) => ({ t: t0 + i * step, v: f(t0 + i * step) }));

  it('finds a daily cycle, a weekly one, and none in noise or a random walk', () => {
    const daily = make((t) => 100 + 30 * Math.sin((2 * Math.PI * t) / DAY_MS) + 5 * normal(rand));
    expect(detectCycle(daily)?.periodMs).toBe(DAY_MS);
    const weekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());
    const weekly = make((t) => (weekend(t) ? 20 : 100) + 5 * normal(rand));
    expect(detectCycle(weekly)?.periodMs).toBe(WEEK_MS);
    expect(detectCycle(make(() => 50 + 5 * normal(rand)))).toBeNull();
    let w = 0;
    expect(detectCycle(make(() => (w += normal(rand))))).toBeNull();
    expect(detectCycle(daily.slice(0, 100))).toBeNull(); // one day is too short to tell
  });

  it('streams: the strength rises as a cycle is seen', () => {
    const c = new CycleStrength(DAY_MS, step, 500);
    const pts = make((t) => 100 + 30 * Math.sin((2 * Math.PI * t) / DAY_MS) + 3 * normal(rand), 6);
    expect(c.strength).toBeNaN();
    for (const p of pts) c.update(p.t, p.v);
    expect(c.strength).toBeGreaterThan(0.7);
  });
});

describe('AnomalyLikelihood', () => {
  it('computes far normal tails accurately', () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 6);
    expect(normalTail(1) / 0.158655253931457).toBeCloseTo(1, 5);
    expect(normalTail(5) / 2.866515718791939e-7).toBeCloseTo(1, 5);
    expect(normalTail(8) / 6.220960574271784e-16).toBeCloseTo(1, 4);
    expect(normalTail(-2)).toBeCloseTo(1 - 0.0227501319481792, 6);
  });

  it('maps tails to a log score: 1 is 0, 1e-5 is 0.5, 1e-10 and below close to 1', () => {
    expect(logScore(1)).toBe(0);
    expect(logScore(1e-5)).toBeCloseTo(0.5, 3);
    expect(logScore(1e-12)).toBeGreaterThan(0.999);
    expect(logScore(0)).toBe(1);
  });

  it('judges a raw score against its own history: a jump is rare where raw scores are calm, not where they are noisy', () => {
    const rand = seededRandom(7);
    const calm = new AnomalyLikelihood({ shortWindow: 3, minStd: 0.02 });
    const noisy = new AnomalyLikelihood({ shortWindow: 3, minStd: 0.02 });
    for (let i = 0; i < 1000; i++) {
      expect(calm.update(0.05 * rand())).toBeGreaterThan(i < 150 ? 0.99 : 1e-4); // 1 while learning
      noisy.update(rand() < 0.3 ? 0.8 * rand() : 0);
    }
    const a = [calm.update(0.6), calm.update(0.6)];
    const b = [noisy.update(0.6), noisy.update(0.6)];
    expect(a[1]).toBeLessThan(1e-8);
    expect(b[1]).toBeGreaterThan(1e-3);
    expect(calm.update(0)).toBeLessThan(1); // the average still holds the jump
  });
});
