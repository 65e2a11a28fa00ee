// Pure preparation of one metric chart: aligned columns for uPlot, the baseline the analysis
// judged against (its time window and its normal range) and the markers (deploy, onset,
// actions). Kept apart from the uPlot component so it can be tested.
import type { ActionRecord, DeploymentDetailResponse } from '../../../src/core/api.js';
import type { Finding } from '../../../src/core/types.js';
import { findingWords } from './findings.js';

export type SeriesEntry = NonNullable<DeploymentDetailResponse['series']>[string];

export interface ChartMarker {
  /** epoch ms */
  at: number;
  kind: 'deploy' | 'onset' | 'action';
  label: string;
  /** longer text for a tooltip */
  title: string;
}

export interface ChartModel {
  /** [x seconds, main values, baseline values] aligned on the union of timestamps */
  data: [number[], Array<number | null>, Array<number | null>];
  hasBaseline: boolean;
  /** what the baseline line is: pre-deploy series ('before') or the stable group ('stable') */
  baselineKind: 'before' | 'stable' | 'none';
  mainLabel: string;
  baselineLabel?: string;
  /** the stretch of time the after-deploy data was compared with (epoch ms), when it was "before" */
  window?: [number, number];
  /** the normal range (5th–95th percentile) of that reference data: the band a change leaves */
  band?: { lo: number; hi: number; median: number; label: string };
  markers: ChartMarker[];
  /** x range to show, epoch seconds: the after-deploy part stays wide enough to read */
  view: [number, number];
}

export interface ChartInput {
  deployAt: number;
  /** start of the pre-deploy baseline the watch collected (deployAt − baselineSeconds) */
  baselineFrom?: number;
  /** the findings the decision shown rested on (their onsets are marked) */
  findings: readonly Finding[];
  actions: readonly ActionRecord[];
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - f) + sorted[i + 1]! * f : sorted[i]!;
}

/** The earliest onset among findings that say something is wrong, with what it was. */
function firstOnset(findings: readonly Finding[], metric: string): { at: number; what: string } | undefined {
  // A chart's own finding dates its change best; otherwise the first sign anywhere (e.g. the
  // first new error line) is marked on every chart, so they can be read against it.
  const withOnset = findings.filter((f) => f.onset !== undefined && f.severity > 0);
  const own = withOnset.filter((f) => f.subject === metric);
  const pool = own.length ? own : withOnset;
  if (!pool.length) return undefined;
  const f = pool.reduce((a, b) => (b.onset! < a.onset! ? b : a));
  return { at: f.onset!, what: findingWords(f).title.toLowerCase() };
}

export function buildChart(metric: string, entry: SeriesEntry, input: ChartInput): ChartModel {
  const { deployAt } = input;
  const pts = entry.points ?? [];
  const base = entry.baseline ?? [];
  // A baseline that reaches past the deploy runs beside the new version: a stable group.
  const baselineKind: ChartModel['baselineKind'] = base.length === 0 ? 'none' : base.some(([t]) => t > deployAt) ? 'stable' : 'before';
  const times = new Set<number>();
  for (const [t] of pts) times.add(t);
  for (const [t] of base) times.add(t);
  const xs = [...times].sort((a, b) => a - b);
  const main = new Map(pts.map(([t, v]) => [t, v]));
  const bl = new Map(base.map(([t, v]) => [t, v]));
  const data: ChartModel['data'] = [
    xs.map((t) => t / 1000),
    xs.map((t) => main.get(t) ?? null),
    xs.map((t) => bl.get(t) ?? null),
  ];

  // The reference the analysis compared with: the stable group, else the pre-deploy window.
  const from = input.baselineFrom ?? -Infinity;
  const refPts = baselineKind === 'stable' ? base : (baselineKind === 'before' ? base : pts).filter(([t]) => t < deployAt && t >= from);
  const reference = refPts.map(([, v]) => v).filter(Number.isFinite).sort((a, b) => a - b);
  const band =
    reference.length >= 2
      ? {
          lo: quantile(reference, 0.05),
          hi: quantile(reference, 0.95),
          median: quantile(reference, 0.5),
          label: baselineKind === 'stable' ? 'stable group range' : 'normal range before',
        }
      : undefined;
  const firstRef = refPts.length ? Math.min(...refPts.map(([t]) => t)) : undefined;
  const window: [number, number] | undefined = baselineKind !== 'stable' && firstRef !== undefined ? [Math.max(from, firstRef), deployAt] : undefined;

  const markers: ChartMarker[] = [{ at: deployAt, kind: 'deploy', label: 'deploy', title: 'the new version was deployed' }];
  const onset = firstOnset(input.findings, metric);
  if (onset) markers.push({ at: onset.at, kind: 'onset', label: 'onset', title: `onset: ${onset.what}` });
  for (const a of input.actions) {
    const at = a.finishedAt ?? a.requestedAt;
    const what = a.action.replace('_', ' ');
    const label = `${what} ${a.status === 'executed' ? '✓' : a.status === 'failed' ? '✗' : a.status.replace('_', ' ')}`;
    markers.push({ at, kind: 'action', label, title: `${what}: ${a.status.replace('_', ' ')}` });
  }
  // Show as much "before" as 1.5× the "after" (at least 3 minutes): the band already summarises
  // the whole baseline, and the markers after the deploy must not be squeezed into a corner.
  const first = xs.length ? xs[0]! : deployAt;
  const last = xs.length ? xs[xs.length - 1]! : deployAt;
  const viewFrom = Math.max(first, deployAt - Math.max(3 * 60_000, 1.5 * (last - deployAt)));
  return {
    view: [viewFrom / 1000, Math.max(last, deployAt) / 1000],
    data,
    hasBaseline: baselineKind !== 'none',
    baselineKind,
    mainLabel: baselineKind === 'stable' ? 'canary' : 'observed',
    ...(baselineKind !== 'none' ? { baselineLabel: baselineKind === 'stable' ? 'stable group' : 'before' } : {}),
    ...(window ? { window } : {}),
    ...(band ? { band } : {}),
    markers,
  };
}

/** Standard metrics first in a fixed order, then the rest alphabetically. */
export function orderMetrics(names: string[]): string[] {
  const std = ['error_rate', 'latency_p95_ms', 'cpu_utilization', 'memory_bytes', 'request_rate', 'restarts'];
  const rank = (n: string) => (std.includes(n) ? std.indexOf(n) : std.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** An x-axis tick for a person: UTC clock time, seconds only when the ticks need them. */
export function axisTimes(splits: readonly number[]): string[] {
  const needSeconds = splits.some((s) => Math.round(s) % 60 !== 0);
  return splits.map((s) => new Date(s * 1000).toISOString().slice(11, needSeconds ? 19 : 16));
}
