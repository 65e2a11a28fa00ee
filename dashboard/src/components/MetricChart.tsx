// One uPlot chart per metric. uPlot (and its CSS) is imported lazily by the page that uses
// this, so the list page never downloads it. The baseline window, the normal range and the
// markers are DOM elements over the plot (not canvas paint): their labels are text (with a
// tooltip saying what and when), and a test can find them. uPlot's own legend ("Time: — observed: —"
// when idle) is off: the key is the figure's caption, the values under the cursor show only
// while the cursor is on the chart.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { axisTimes, type ChartModel } from '../lib/chart.js';
import { formatMetric, formatTime } from '../lib/format.js';

const HEIGHT = 200;
const AXIS_FONT = '12px system-ui, sans-serif';
const MAIN = '#dc2626';
const BASE = '#64748b';

const valueText = (metric: string, v: number | null): string => (v === null ? 'no sample' : formatMetric(metric, v));

/** Tick length + gap + the widest label, measured in the axis font. */
function axisWidth(u: uPlot, values: string[] | null): number {
  const ctx = u.ctx;
  ctx.save();
  ctx.font = AXIS_FONT;
  const widest = Math.max(0, ...(values ?? []).map((v) => ctx.measureText(v).width));
  ctx.restore();
  return Math.ceil(widest) + 22;
}

interface Hover {
  at: number;
  main: number | null;
  base: number | null;
}

/** Places the overlay elements from the model on every redraw (resize, data). */
function overlayPlugin(model: ChartModel): uPlot.Plugin {
  let layer: HTMLDivElement;
  return {
    hooks: {
      init: [
        (u) => {
          layer = document.createElement('div');
          layer.className = 'ov';
          u.over.appendChild(layer);
        },
      ],
      draw: [
        (u) => {
          layer.replaceChildren();
          const w = u.over.clientWidth;
          const h = u.over.clientHeight;
          const x = (ms: number) => u.valToPos(ms / 1000, 'x');
          const div = (cls: string, css: Partial<CSSStyleDeclaration>, text?: string, title?: string): HTMLDivElement => {
            const el = document.createElement('div');
            el.className = cls;
            Object.assign(el.style, css);
            if (text) el.textContent = text;
            if (title) el.title = title;
            layer.appendChild(el);
            return el;
          };
          if (model.window) {
            const a = Math.max(0, x(model.window[0]));
            const b = Math.min(w, x(model.window[1]));
            if (b > a) {
              const el = div('ov-baseline', { left: `${a}px`, width: `${b - a}px`, height: `${h}px` });
              el.dataset.from = String(model.window[0]);
              el.dataset.to = String(model.window[1]);
              if (b - a > 60) div('ov-baseline-label', { left: `${a + 4}px`, top: `${h - 16}px` }, 'baseline');
            }
          }
          if (model.band) {
            const top = Math.max(0, u.valToPos(model.band.hi, 'y'));
            const bottom = Math.min(h, u.valToPos(model.band.lo, 'y'));
            // a flat baseline (no errors at all before) is a line, still drawn so it can be seen
            const height = Math.max(2, bottom - top);
            div('ov-band', { top: `${Math.min(top, h - height)}px`, height: `${height}px`, width: `${w}px` });
          }
          let row = 0;
          for (const m of model.markers) {
            const px = x(m.at);
            if (!(px >= 0 && px <= w)) continue;
            div(`ov-marker ov-${m.kind}`, { left: `${px}px`, height: `${h}px` }).dataset.at = String(m.at);
            const label = div(`ov-label ov-${m.kind}`, { top: `${2 + 15 * (row++ % 3)}px` }, m.label, `${m.title} (${formatTime(m.at)})`);
            // labels to the right of their line, unless that would leave the plot
            const lw = label.offsetWidth;
            label.style.left = `${px + 4 + lw > w ? px - 4 - lw : px + 4}px`;
          }
        },
      ],
    },
  };
}

export default function MetricChart({ metric, model }: { metric: string; model: ChartModel }) {
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<Hover>();
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const series: uPlot.Series[] = [{}, { label: model.mainLabel, stroke: MAIN, width: 2, spanGaps: true }];
    if (model.hasBaseline) series.push({ label: model.baselineLabel, stroke: BASE, width: 1.5, dash: [4, 3], spanGaps: true });
    const data = model.hasBaseline ? model.data : [model.data[0], model.data[1]];
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: HEIGHT,
      series,
      scales: { x: { time: true, range: () => model.view } },
      axes: [
        { space: 70, font: AXIS_FONT, values: (_u, splits) => axisTimes(splits) },
        {
          font: AXIS_FONT,
          values: (_u, vals) => vals.map((v) => formatMetric(metric, v)),
          // wide enough for the longest tick label: a fixed width cut "400 ms" and "30%" short
          size: (u, values) => axisWidth(u, values),
        },
      ],
      legend: { show: false },
      plugins: [overlayPlugin(model)],
      hooks: {
        setCursor: [
          (u) => {
            const i = u.cursor.idx;
            if (i === null || i === undefined) return setHover(undefined);
            setHover({ at: u.data[0][i]! * 1000, main: (u.data[1]?.[i] as number | null) ?? null, base: (u.data[2]?.[i] as number | null | undefined) ?? null });
          },
        ],
      },
    };
    const plot = new uPlot(opts, data as uPlot.AlignedData, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: HEIGHT }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [metric, model]);
  return (
    <>
      <div ref={box} className="chart" data-testid={`chart-${metric}`} />
      {/* the values under the cursor; empty while nothing is hovered (the key is in the caption) */}
      <p className="chart-readout small" data-testid={`readout-${metric}`}>
        {hover && (
          <>
            <span className="sw sw-main">{model.mainLabel}</span> <strong>{valueText(metric, hover.main)}</strong>
            {model.hasBaseline && (
              <>
                {' · '}
                <span className="sw sw-base">{model.baselineLabel}</span> <strong>{valueText(metric, hover.base)}</strong>
              </>
            )}
            <span className="muted"> at {formatTime(hover.at).slice(11)}</span>
          </>
        )}
      </p>
    </>
  );
}
