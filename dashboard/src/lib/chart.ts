// Pure preparation of one metric chart: aligned columns for uPlot, the "normal" band and the
// markers (deploy, onset, actions). Kept apart from the uPlot component so it can be tested.
import type { ActionRecord, DeploymentDetailResponse } from '../../../src/core/api.js';
import type { Finding } from '../../../src/core/types.js';

export type SeriesEntry = NonNullable<DeploymentDetailResponse['series']>[string];

export interface ChartMarker {
  /** epoch ms */
  at: number;
  kind: 'deploy' | 'onset' | 'action';
  label: string;
}

export interface ChartModel {
  /** [x seconds, main values, baseline values] aligned on the union of timestamps */
  data: [number[], Array<number | null>, Array<number | null>];
  hasBaseline: boolean;
  /** what the baseline line is: pre-deploy series ('before') or the stable group ('stable') */
  baselineKind: 'before' | 'stable' | 'none';
  mainLabel: string;
  /** mean ± 2 sd of the reference data (baseline, else pre-deploy points) */
  band?: { lo: number; hi: number; mean: number; label: string };
  /** mean after the deploy, for the text summary */
  afterMean?: number;
  markers: ChartMarker[];
  /** x range to show, epoch seconds: the after-deploy part stays wide enough to read */
  view: [number, number];
}

function meanSd(vs: number[]): { mean: number; sd: number } | undefined {
  if (vs.length < 2) return undefined;
  const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
  const v = vs.reduce((a, b) => a + (b - mean) ** 2, 0) / (vs.length - 1);
  return { mean, sd: Math.sqrt(v) };
}

export function buildChart(
  metric: string,
  entry: SeriesEntry,
  deployAt: number,
  findings: Finding[],
  actions: ActionRecord[],
): ChartModel {
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

  const reference = baselineKind !== 'none' ? base.map(([, v]) => v) : pts.filter(([t]) => t < deployAt).map(([, v]) => v);
  const ms = meanSd(reference.filter(Number.isFinite));
  const band = ms
    ? {
        lo: ms.mean - 2 * ms.sd,
        hi: ms.mean + 2 * ms.sd,
        mean: ms.mean,
        label: baselineKind === 'stable' ? 'stable range (±2σ)' : 'before-deploy range (±2σ)',
      }
    : undefined;
  const after = meanSd(pts.filter(([t]) => t >= deployAt).map(([, v]) => v));

  const markers: ChartMarker[] = [{ at: deployAt, kind: 'deploy', label: 'deploy' }];
  const own = findings.filter((f) => f.onset !== undefined && f.subject === metric);
  const onset = own.length ? Math.min(...own.map((f) => f.onset!)) : undefined;
  if (onset !== undefined) markers.push({ at: onset, kind: 'onset', label: 'onset' });
  for (const a of actions) {
    const at = a.finishedAt ?? a.requestedAt;
    markers.push({ at, kind: 'action', label: `${a.action.replace('_', ' ')} ${a.status === 'executed' ? '✓' : a.status}` });
  }
  // Show at most twice as much "before" as "after" (at least 10 minutes): the band already
  // summarises the whole baseline, and the interesting part is what followed the deploy.
  const first = xs.length ? xs[0]! : deployAt;
  const last = xs.length ? xs[xs.length - 1]! : deployAt;
  const from = Math.max(first, deployAt - Math.max(10 * 60_000, 2 * (last - deployAt)));
  return {
    view: [from / 1000, Math.max(last, deployAt) / 1000],
    data,
    hasBaseline: baselineKind !== 'none',
    baselineKind,
    mainLabel: baselineKind === 'stable' ? 'canary' : 'observed',
    band,
    afterMean: after?.mean,
    markers,
  };
}

/** Standard metrics first in a fixed order, then the rest alphabetically. */
export function orderMetrics(names: string[]): string[] {
  const std = ['error_rate', 'latency_p95_ms', 'cpu_utilization', 'memory_bytes', 'request_rate', 'restarts'];
  const rank = (n: string) => (std.includes(n) ? std.indexOf(n) : std.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
