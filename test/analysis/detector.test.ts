import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamingDetector, scoreSeries } from '../../src/analysis/detector.js';
import { normal, seededRandom } from '../../src/core/random.js';

type Point = { t: number; v: number };
const MIN5 = 300_000;
const DAY = 86_400_000;

function loadSeries(file: string): Point[] {
  const rows = readFileSync(join(import.meta.dirname, '../fixtures/series', file), 'utf8').trim().split('\n').slice(1);
  return rows.map((r) => {
    const [ts, v] = r.split(',');
    return { t: Date.parse(ts.replace(' ', 'T') + 'Z'), v: Number(v) };
  });
}

const max = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);
/** rows scoring at least `t` outside [from, to) */
const loudOutside = (s: number[], t: number, from: number, to: number, skip = 500): number => s.filter((x, i) => i >= skip && (i < from || i >= to) && x >= t).length;

/** 5-minute series with a daily cycle and noise; `edit` changes the value of row i. */
function daily(n: number, seed: number, edit: (i: number, v: number) => number = (_i, v) => v): Point[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const t = Date.UTC(2026, 0, 5) + i * MIN5;
    const v = 50 + 20 * Math.sin((2 * Math.PI * t) / DAY) + 2 * normal(rand);
    return { t, v: edit(i, v) };
  });
}

describe('StreamingDetector', () => {
  const series = loadSeries('daily-with-spike.csv');
  const spikeStart = 5 * 288 - 100; // the fixture adds +45 to 10 points from here

  it('scores in [0,1] and puts the injected spike far above the normal days', () => {
    const s = scoreSeries(series);
    expect(s.every((x) => x >= 0 && x <= 1)).toBe(true);
    // after two days of learning the normal days stay near 0; the spike is flagged at its first point
    expect(max(s.slice(2 * 288, spikeStart))).toBeLessThan(0.1);
    expect(s[spikeStart]).toBeGreaterThan(0.5);
  });

  it('is causal: scoring a prefix gives the same scores for that prefix', () => {
    const full = scoreSeries(series);
    for (const cut of [1, 20, 21, 300, spikeStart + 3]) expect(scoreSeries(series.slice(0, cut))).toEqual(full.slice(0, cut));
  });

  it('is deterministic: a second detector over the same points gives the same scores', () => {
    expect(scoreSeries(series)).toEqual(scoreSeries(series));
  });

  it('stays at 0 on a flat line and quiet on stationary noise', () => {
    const flat = Array.from({ length: 2000 }, (_, i) => ({ t: i * 60_000, v: 5 }));
    expect(max(scoreSeries(flat))).toBe(0);
    const rand = seededRandom(42);
    const noise = Array.from({ length: 4000 }, (_, i) => ({ t: i * 60_000, v: 100 + 5 * normal(rand) }));
    expect(loudOutside(scoreSeries(noise), 0.5, 0, 0)).toBeLessThan(3);
  });

  it('flags a level shift in a noisy series at its start', () => {
    const rand = seededRandom(3);
    const pts = Array.from({ length: 2000 }, (_, i) => ({ t: i * MIN5, v: (i >= 1500 ? 125 : 100) + 5 * normal(rand) }));
    const s = scoreSeries(pts);
    const first = s.findIndex((x, i) => i >= 1500 && x >= 0.3);
    expect(first).toBeGreaterThanOrEqual(1500);
    expect(first).toBeLessThan(1515);
    expect(loudOutside(s, 0.3, 1500, 1700)).toBe(0);
  });

  it('flags a day that breaks the daily rhythm although every value is in the usual range', () => {
    // from midnight of day 6 (when the cycle is at its mean) the series stays at its mean for 12
    // hours instead of rising to 70 and back: no value leaves the usual range (30..70), no step is
    // unusual, only the time of day is wrong
    const from = 6 * 288;
    const pts = daily(8 * 288, 5, (i, v) => (i >= from && i < from + 144 ? 50 + (v - 50 - 20 * Math.sin((2 * Math.PI * (i - from)) / 288)) : v));
    const s = scoreSeries(pts);
    const hit = s.findIndex((x, i) => i >= from && x >= 0.3);
    expect(hit).toBeGreaterThanOrEqual(from);
    expect(hit).toBeLessThan(from + 36); // within 3 hours, while the normal day would be rising
    expect(loudOutside(s, 0.3, from, from + 300)).toBe(0);
  });

  it('flags a sensor that gets stuck, above anything the normal days scored', () => {
    const stuckAt = 5 * 288;
    const pts = daily(7 * 288, 8, (i, v) => (i >= stuckAt ? 48.2 : v));
    const s = scoreSeries(pts);
    const stuck = max(s.slice(stuckAt, stuckAt + 40));
    expect(stuck).toBeGreaterThan(0.15);
    expect(stuck).toBeGreaterThan(2 * max(s.slice(2 * 288, stuckAt)));
  });

  it('needs a bigger burst to alarm in a series that lives by bursts than in a quiet one', () => {
    const rand = seededRandom(11);
    const at = 3000;
    const make = (bursty: boolean): Point[] =>
      Array.from({ length: 3200 }, (_, i) => {
        let v = 20 + normal(rand);
        if (bursty && i % 97 === 0 && i < at) v += 15 + 30 * rand(); // routine bursts
        if (i === at) v += 60;
        return { t: i * MIN5, v };
      });
    const quiet = scoreSeries(make(false));
    const busy = scoreSeries(make(true));
    expect(quiet[at]).toBeGreaterThan(0.5);
    expect(busy[at]).toBeLessThan(quiet[at]);
  });

  it('handles irregular sampling with gaps and stays causal', () => {
    const rand = seededRandom(9);
    const pts: Point[] = [];
    let t = 0;
    for (let i = 0; i < 2500; i++) {
      t += MIN5 * (rand() < 0.1 ? 1 + Math.floor(rand() * 20) : 1);
      pts.push({ t, v: 50 + 20 * Math.sin((2 * Math.PI * t) / DAY) + normal(rand) + (i >= 2300 && i < 2305 ? 40 : 0) });
    }
    const s = scoreSeries(pts);
    expect(s.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(scoreSeries(pts.slice(0, 2302))).toEqual(s.slice(0, 2302));
    expect(max(s.slice(2300, 2305))).toBeGreaterThan(max(s.slice(500, 2300)));
  });

  it('treats missing values as no evidence and does not remember them', () => {
    const pts = daily(1500, 4);
    const d = new StreamingDetector();
    const e = new StreamingDetector();
    for (let i = 0; i < pts.length; i++) {
      if (i % 50 === 0) expect(d.update(pts[i].t, Number.NaN)).toBe(0);
      expect(d.update(pts[i].t, pts[i].v)).toBe(e.update(pts[i].t, pts[i].v));
    }
  });
});
