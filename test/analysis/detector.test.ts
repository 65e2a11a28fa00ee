import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamingDetector, scoreSeries } from '../../src/analysis/detector.js';
import { SortedWindow } from '../../src/analysis/detector-window.js';
import { normal, seededRandom } from '../../src/core/random.js';

function loadSeries(file: string): { t: number; v: number }[] {
  const rows = readFileSync(join(import.meta.dirname, '../fixtures/series', file), 'utf8').trim().split('\n').slice(1);
  return rows.map((r) => {
    const [ts, v] = r.split(',');
    return { t: Date.parse(ts.replace(' ', 'T') + 'Z'), v: Number(v) };
  });
}

describe('StreamingDetector', () => {
  const series = loadSeries('daily-with-spike.csv');
  const spikeStart = 5 * 288 - 100; // the fixture adds +45 to 10 points from here

  it('scores in [0,1] and puts the injected spike far above the normal days', () => {
    const s = scoreSeries(series);
    expect(s.every((x) => x >= 0 && x <= 1)).toBe(true);
    const warm = 288; // first day: learning
    const normalMax = Math.max(...s.slice(warm, spikeStart));
    const spikeMax = Math.max(...s.slice(spikeStart, spikeStart + 10));
    expect(spikeMax).toBeGreaterThan(normalMax + 0.1);
    // the first spike point itself is already flagged (early detection)
    expect(s[spikeStart]).toBeGreaterThan(normalMax);
  });

  it('is causal: scoring a prefix gives the same scores for that prefix', () => {
    const full = scoreSeries(series);
    const prefix = scoreSeries(series.slice(0, spikeStart + 3));
    expect(prefix).toEqual(full.slice(0, spikeStart + 3));
  });

  it('is deterministic', () => {
    expect(scoreSeries(series)).toEqual(scoreSeries(series));
  });

  it('stays quiet on a flat line and on stationary noise', () => {
    const flat = Array.from({ length: 2000 }, (_, i) => ({ t: i * 60_000, v: 5 }));
    expect(Math.max(...scoreSeries(flat))).toBe(0);
    const rand = seededRandom(42);
    const noise = Array.from({ length: 3000 }, (_, i) => ({ t: i * 60_000, v: 100 + 5 * normal(rand) }));
    const s = scoreSeries(noise).slice(500);
    const loud = s.filter((x) => x > 0.8).length;
    expect(loud).toBeLessThan(3);
  });

  it('flags a level shift in a noisy series', () => {
    const rand = seededRandom(3);
    const pts = Array.from({ length: 1500 }, (_, i) => ({ t: i * 300_000, v: (i >= 1200 ? 160 : 100) + 5 * normal(rand) }));
    const s = scoreSeries(pts);
    expect(Math.max(...s.slice(1200, 1210))).toBeGreaterThan(Math.max(...s.slice(300, 1200)));
  });

  it('handles irregular sampling with gaps and stays causal', () => {
    const rand = seededRandom(9);
    const pts: { t: number; v: number }[] = [];
    let t = 0;
    for (let i = 0; i < 2500; i++) {
      t += 300_000 * (rand() < 0.1 ? 1 + Math.floor(rand() * 20) : 1); // 5-minute steps, some gaps
      pts.push({ t, v: 50 + 20 * Math.sin((2 * Math.PI * t) / 86_400_000) + normal(rand) + (i >= 2300 && i < 2305 ? 40 : 0) });
    }
    const s = scoreSeries(pts);
    expect(s.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(scoreSeries(pts.slice(0, 2302))).toEqual(s.slice(0, 2302));
    expect(Math.max(...s.slice(2300, 2305))).toBeGreaterThan(Math.max(...s.slice(500, 2300)));
  });

  it('treats missing values as no evidence', () => {
    const d = new StreamingDetector();
    for (let i = 0; i < 100; i++) d.update(i * 1000, 10 + (i % 3));
    expect(d.update(100_000, Number.NaN)).toBe(0);
    expect(d.update(101_000, 11)).toBeLessThan(0.5);
  });
});

describe('SortedWindow', () => {
  it('keeps the last n values sorted and answers tail queries', () => {
    const w = new SortedWindow(4);
    for (const x of [5, 1, 3, 9, 7]) w.push(x); // 5 evicted
    expect([w.min(), w.max(), w.size]).toEqual([1, 9, 4]);
    expect(w.lowerBound(7)).toBe(2);
    expect(w.upperBound(7)).toBe(3);
    expect(w.twoSidedTail(100)).toBeCloseTo(1 / 5);
    expect(w.twoSidedTail(5)).toBe(1); // the median: no surprise
    expect(w.upperTail(0)).toBeCloseTo(1);
  });
});
