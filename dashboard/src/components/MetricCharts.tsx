// The metric charts of one deployment: each with a caption naming the metric in words and a
// key of exactly what is drawn on it (series, baseline, normal range, deploy, onset, action).
import { lazy, Suspense, useMemo } from 'react';
import type { DeploymentDetailResponse } from '../../../src/core/api.js';
import type { Finding } from '../../../src/core/types.js';
import { buildChart, orderMetrics, type ChartModel } from '../lib/chart.js';
import { formatMetric, metricLabel } from '../lib/format.js';

const MetricChart = lazy(() => import('./MetricChart.js'));

function rangeText(metric: string, lo: number, hi: number): string {
  const a = formatMetric(metric, lo);
  const b = formatMetric(metric, hi);
  return a === b ? `always ${a}` : `${a}–${b}`;
}

function Key({ metric, model }: { metric: string; model: ChartModel }) {
  const has = (k: string) => model.markers.some((m) => m.kind === k);
  return (
    <span className="legend-key">
      <span className="k k-main">{model.mainLabel}</span>
      {model.hasBaseline && <span className="k k-base">{model.baselineLabel}</span>}
      {model.window && <span className="k k-window">baseline</span>}
      {model.band && (
        <span className="k k-band" title={`${model.band.label}: 5th–95th percentile`}>
          {model.band.label} ({rangeText(metric, model.band.lo, model.band.hi)})
        </span>
      )}
      <span className="k k-deploy">deploy</span>
      {has('onset') && <span className="k k-onset">onset</span>}
      {has('action') && <span className="k k-action">action</span>}
    </span>
  );
}

export function MetricCharts({ d, findings, baselineFrom }: { d: DeploymentDetailResponse; findings: readonly Finding[]; baselineFrom?: number }) {
  const models = useMemo(
    () =>
      orderMetrics(Object.keys(d.series ?? {})).map((m) => ({
        metric: m,
        model: buildChart(m, d.series![m]!, { deployAt: d.deployment.at, ...(baselineFrom !== undefined ? { baselineFrom } : {}), findings, actions: d.actions }),
      })),
    [d, findings, baselineFrom],
  );
  if (!models.length) return <p className="muted">No metric series yet.</p>;
  return (
    <div className="charts">
      {models.map(({ metric, model }) => (
        <figure key={metric} className="chart-fig">
          <figcaption>
            <strong title={metric}>{metricLabel(metric)}</strong>
            <Key metric={metric} model={model} />
          </figcaption>
          <Suspense fallback={<div className="chart chart-loading">Loading chart…</div>}>
            <MetricChart metric={metric} model={model} />
          </Suspense>
        </figure>
      ))}
    </div>
  );
}
