// One uPlot chart per metric. uPlot (and its CSS) is imported lazily by the page that uses
// this, so the list page never downloads it.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartModel } from '../lib/chart.js';
import { formatMetric, formatTime } from '../lib/format.js';

const MARKER_COLOUR: Record<string, string> = { deploy: '#2563eb', onset: '#d97706', action: '#7c3aed' };

function markersPlugin(model: ChartModel): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: [
        (u) => {
          // Shaded reference band and before-deploy region, under the lines.
          const { ctx } = u;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          const deploy = model.markers.find((m) => m.kind === 'deploy');
          if (deploy && model.baselineKind !== 'stable') {
            const x = u.valToPos(deploy.at / 1000, 'x', true);
            if (x > left) {
              ctx.fillStyle = 'rgba(100,116,139,0.08)';
              ctx.fillRect(left, top, Math.min(x, left + width) - left, height);
            }
          }
          if (model.band) {
            const y1 = u.valToPos(model.band.hi, 'y', true);
            const y2 = u.valToPos(model.band.lo, 'y', true);
            const a = Math.max(top, Math.min(y1, y2));
            const b = Math.min(top + height, Math.max(y1, y2));
            if (b > a) {
              ctx.fillStyle = 'rgba(22,163,74,0.12)';
              ctx.fillRect(left, a, width, b - a);
            }
          }
          ctx.restore();
        },
      ],
      draw: [
        (u) => {
          const { ctx } = u;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          ctx.textAlign = 'left';
          ctx.textBaseline = 'alphabetic';
          ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.lineWidth = 1.5 * devicePixelRatio;
          let row = 0;
          for (const m of model.markers) {
            const x = u.valToPos(m.at / 1000, 'x', true);
            if (x < left || x > left + width) continue;
            ctx.strokeStyle = ctx.fillStyle = MARKER_COLOUR[m.kind] ?? '#000';
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            const tw = ctx.measureText(m.label).width;
            const tx = x + 4 + tw > left + width ? x - 4 - tw : x + 4;
            ctx.fillText(m.label, tx, top + (12 + 13 * (row++ % 3)) * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

export default function MetricChart({ metric, model }: { metric: string; model: ChartModel }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const series: uPlot.Series[] = [
      { value: (_u, v) => (v == null ? '—' : formatTime(v * 1000)) },
      { label: model.mainLabel, stroke: '#dc2626', width: 2, spanGaps: true, value: (_u, v) => formatMetric(metric, v) },
    ];
    if (model.hasBaseline) {
      series.push({
        label: model.baselineKind === 'stable' ? 'stable' : 'before',
        stroke: '#64748b',
        width: 1.5,
        dash: [4, 3],
        spanGaps: true,
        value: (_u, v) => formatMetric(metric, v),
      });
    }
    const data = model.hasBaseline ? model.data : [model.data[0], model.data[1]];
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: 200,
      series,
      scales: { x: { time: true, range: () => model.view } },
      axes: [{ space: 80 }, { values: (_u, vals) => vals.map((v) => formatMetric(metric, v)), size: 70 }],
      plugins: [markersPlugin(model)],
      legend: { live: true },
    };
    const plot = new uPlot(opts, data as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 200 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [metric, model]);
  return <div ref={box} className="chart" data-testid={`chart-${metric}`} />;
}
