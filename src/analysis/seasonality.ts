// Daily and weekly cycles of a metric, for the streaming detector and for any judge that compares a
// metric with its own past: a value is best compared with the same time of day (or week) in the last
// few cycles, and only when the metric really follows that cycle. Pure, causal, deterministic.

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
/** more phase slots than this (e.g. a weekly cycle sampled every few seconds) is not tracked */
const MAX_SLOTS = 20_000;

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/**
 * The values seen at the same phase of a cycle in the last `cycles` (1..3) cycles. Phases are slots
 * of one sampling step; a slot's value counts for a later cycle only if it was seen within half a
 * step of a whole number of cycles before (missing samples leave holes, never shifted matches).
 */
export class CycleMemory {
  private readonly slots: number;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private readonly cycles: number;

  constructor(
    readonly periodMs: number,
    readonly stepMs: number,
    cycles = 3,
  ) {
    this.slots = Math.round(periodMs / stepMs);
    this.cycles = Math.max(1, Math.min(3, cycles));
    const n = this.trackable ? this.slots * this.cycles : 0;
    this.times = new Float64Array(n).fill(Number.NaN);
    this.values = new Float64Array(n).fill(Number.NaN);
  }

  /** false when the step does not divide the period into a sensible number of slots */
  get trackable(): boolean {
    return this.slots >= 4 && this.slots <= MAX_SLOTS;
  }

  private slot(t: number): number {
    const phase = ((t % this.periodMs) + this.periodMs) % this.periodMs;
    return Math.floor(phase / this.stepMs + 0.5) % this.slots;
  }

  /** Median of the same-phase values of the last cycles (NaN if none was seen). */
  reference(t: number): number {
    if (!this.trackable) return Number.NaN;
    const base = this.slot(t) * this.cycles;
    const found: number[] = [];
    for (let k = 0; k < this.cycles; k++) {
      const age = (t - this.times[base + k]) / this.periodMs;
      const whole = Math.round(age);
      if (whole >= 1 && whole <= this.cycles && Math.abs(age - whole) * this.periodMs <= this.stepMs / 2) found.push(this.values[base + k]);
    }
    if (found.length === 0) return Number.NaN;
    if (found.length === 1) return found[0];
    if (found.length === 2) return (found[0] + found[1]) / 2;
    return median3(found[0], found[1], found[2]);
  }

  /** Remember x at time t (replacing that slot's oldest cycle). */
  push(t: number, x: number): void {
    if (!this.trackable) return;
    const base = this.slot(t) * this.cycles;
    let oldest = 0;
    for (let k = 0; k < this.cycles; k++) {
      if (Number.isNaN(this.times[base + k])) {
        oldest = k;
        break;
      }
      if (this.times[base + k] < this.times[base + oldest]) oldest = k;
    }
    this.times[base + oldest] = t;
    this.values[base + oldest] = x;
  }
}

/**
 * How strongly a series follows a cycle, estimated as it streams: 1 − (mean distance to the same phase
 * of the last cycles) / (mean distance to the value half a cycle earlier). Near 1 for a clean cycle,
 * around 0.15 for pure noise, negative for a wandering series (yesterday is further than 12 h ago).
 * Both means are exponentially weighted over about `memory` samples.
 */
export class CycleStrength {
  readonly memory: CycleMemory;
  private readonly half: CycleMemory;
  private readonly rate: number;
  private seasonalErr = 0;
  private naiveErr = 0;
  private weight = 0;

  constructor(periodMs: number, stepMs: number, memory = 2000) {
    this.memory = new CycleMemory(periodMs, stepMs, 3);
    this.half = new CycleMemory(periodMs / 2, stepMs, 1);
    this.rate = 1 / memory;
  }

  get trackable(): boolean {
    return this.memory.trackable;
  }

  /** Current strength (NaN until both references have been seen for a while). */
  get strength(): number {
    if (this.weight < 0.2 || !(this.naiveErr > 0)) return Number.NaN;
    return 1 - this.seasonalErr / this.naiveErr;
  }

  /** Feed x at t; returns the same-phase reference it was compared with (NaN if none). */
  update(t: number, x: number): number {
    const ref = this.memory.reference(t);
    const anti = this.half.reference(t);
    if (!Number.isNaN(ref) && !Number.isNaN(anti)) {
      const a = this.rate;
      this.seasonalErr += a * (Math.abs(x - ref) - this.seasonalErr);
      this.naiveErr += a * (Math.abs(x - anti) - this.naiveErr);
      this.weight += a * (1 - this.weight);
    }
    this.memory.push(t, x);
    this.half.push(t, x);
    return ref;
  }
}

/**
 * Batch form for a judge: the daily or weekly cycle of a series of points, or null when neither
 * explains it (strength below `minStrength`) or the series is too short (two cycles are needed).
 * A daily cycle also repeats weekly, so the weekly one is preferred only when clearly stronger.
 */
export function detectCycle(points: readonly { t: number; v: number }[], minStrength = 0.4): { periodMs: number; strength: number } | null {
  if (points.length < 8) return null;
  let step = Infinity;
  for (let i = 1; i < points.length; i++) {
    const g = points[i].t - points[i - 1].t;
    if (g > 0 && g < step) step = g;
  }
  if (!Number.isFinite(step)) return null;
  let best: { periodMs: number; strength: number } | null = null;
  for (const period of [DAY_MS, WEEK_MS]) {
    if (points[points.length - 1].t - points[0].t < 2 * period) continue;
    const c = new CycleStrength(period, step, points.length);
    for (const p of points) if (Number.isFinite(p.v)) c.update(p.t, p.v);
    const s = c.strength;
    if (s >= minStrength && (!best || s > best.strength + 0.1)) best = { periodMs: period, strength: s };
  }
  return best;
}
