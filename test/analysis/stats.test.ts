import { describe, expect, it } from 'vitest';
import { conformalP, hodgesLehmann, mannWhitney, mixtureBoundaryZ, poissonRateIncreaseP, theilSen, trailingRunP, zQuantile, normCdf } from '../../src/analysis/stats.js';
import { seededRandom, normal } from '../../src/core/random.js';

const rnd = seededRandom(42);
const noise = (n: number, mu = 0, sd = 1) => Array.from({ length: n }, () => mu + sd * normal(rnd));

describe('stats', () => {
  it('Mann-Whitney z is positive when after is larger and near zero for equal samples', () => {
    const a = noise(100);
    expect(mannWhitney(a, noise(50, 2)).z).toBeGreaterThan(5);
    expect(Math.abs(mannWhitney(a, noise(50)).z)).toBeLessThan(3);
    expect(mannWhitney(a, noise(50, 2)).cliffsDelta).toBeGreaterThan(0.7);
  });
  it('Hodges-Lehmann recovers a shift and its interval covers it', () => {
    const hl = hodgesLehmann(noise(200, 10), noise(200, 13));
    expect(hl.shift).toBeGreaterThan(2.6);
    expect(hl.shift).toBeLessThan(3.4);
    expect(hl.lo).toBeLessThan(3);
    expect(hl.hi).toBeGreaterThan(3);
  });
  it('Theil-Sen ignores outliers', () => {
    const xs = Array.from({ length: 40 }, (_, i) => i);
    const ys = xs.map((x) => 5 * x + (x % 7 === 0 ? 500 : 0));
    const f = theilSen(xs, ys);
    expect(f.slope).toBeCloseTo(5, 0);
    expect(f.lo).toBeGreaterThan(0);
  });
  it('count-aware rate test works on a zero baseline', () => {
    expect(poissonRateIncreaseP(10, 60_000, 0, 1_800_000)).toBeLessThan(1e-10);
    expect(poissonRateIncreaseP(1, 60_000, 30, 1_800_000)).toBeGreaterThan(0.3);
  });
  it('the mixture boundary is above the fixed-look z and grows slowly', () => {
    const z = zQuantile(1 - 0.01 / 2);
    for (const n of [1, 10, 100, 1000]) expect(mixtureBoundaryZ(n, 0.01)).toBeGreaterThan(z);
    expect(mixtureBoundaryZ(1000, 0.01)).toBeLessThan(5);
    expect(normCdf(zQuantile(0.975))).toBeCloseTo(0.975, 4);
  });
  it('conformal and run p-values: points beyond all references give small p', () => {
    const ref = noise(120);
    expect(conformalP(ref, 100, true)).toBeCloseTo(1 / 121, 6);
    expect(trailingRunP(ref, [0, 0, 9, 9, 9], true).p).toBeLessThan(1e-5);
    expect(trailingRunP(ref, [0, 0, 9, 9, 0], true).p).toBeGreaterThan(0.01);
  });
  it('a looked-at-every-step null series rarely alarms (always-valid)', () => {
    // 200 null series, each checked after every new point: false-alarm rate must stay small
    let alarms = 0;
    for (let s = 0; s < 200; s++) {
      const ref = noise(120);
      const post: number[] = [];
      for (let t = 1; t <= 60; t++) {
        post.push(normal(rnd));
        const alpha = (0.01 * 6) / (Math.PI * Math.PI * t * t);
        if (trailingRunP(ref, post, true).p <= alpha || mannWhitney(ref, post).z >= mixtureBoundaryZ(post.length, 0.01)) {
          alarms++;
          break;
        }
      }
    }
    expect(alarms / 200).toBeLessThan(0.05);
  });
});
