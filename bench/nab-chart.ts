// SVG chart of one scored series: the values on top, the anomaly score below with the threshold,
// NAB windows shaded, the probationary period greyed, detections (score >= threshold) marked.
// Long series are drawn as per-pixel min/max bands so a spike never disappears between points.
import { probation, type LabelledSeries } from './nab-score.js';

const W = 1200;
const TOP = 180;
const BOTTOM = 90;
const PAD = 28;

function envelope(xs: Float64Array, cols: number): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(cols).fill(Number.NaN);
  const hi = new Float64Array(cols).fill(Number.NaN);
  for (let i = 0; i < xs.length; i++) {
    const c = Math.min(cols - 1, Math.floor((i / xs.length) * cols));
    const v = xs[i];
    if (Number.isNaN(v)) continue;
    if (!(v >= lo[c])) lo[c] = v;
    if (!(v <= hi[c])) hi[c] = v;
  }
  return { lo, hi };
}

function band(xs: Float64Array, y0: number, h: number, min: number, max: number, color: string): string {
  const cols = W - 2 * PAD;
  const { lo, hi } = envelope(xs, cols);
  const y = (v: number): number => y0 + h - ((v - min) / (max - min || 1)) * h;
  const up: string[] = [];
  const down: string[] = [];
  for (let c = 0; c < cols; c++) {
    if (Number.isNaN(lo[c])) continue;
    up.push(`${PAD + c},${y(hi[c]).toFixed(1)}`);
    down.push(`${PAD + c},${y(lo[c]).toFixed(1)}`);
  }
  return `<polygon fill="${color}" stroke="${color}" stroke-width="0.8" points="${up.join(' ')} ${down.reverse().join(' ')}"/>`;
}

export function chartSvg(f: LabelledSeries, threshold: number): string {
  const n = f.values.length;
  const s = f.scores ?? new Float64Array(n);
  const x = (i: number): number => PAD + (i / n) * (W - 2 * PAD);
  let min = Infinity;
  let max = -Infinity;
  for (const v of f.values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const H = TOP + BOTTOM + 3 * PAD;
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  const p = probation(n);
  parts.push(`<rect x="${x(0)}" y="${PAD}" width="${x(p) - x(0)}" height="${TOP + BOTTOM + PAD}" fill="#eeeeee"/>`);
  for (const [l, r] of f.windows) parts.push(`<rect x="${x(l)}" y="${PAD}" width="${Math.max(1, x(r + 1) - x(l))}" height="${TOP + BOTTOM + PAD}" fill="#ffe0b0"/>`);
  parts.push(band(f.values, PAD, TOP, min, max, '#3060a0'));
  const y2 = 2 * PAD + TOP;
  parts.push(band(s, y2, BOTTOM, 0, 1, '#606060'));
  if (Number.isFinite(threshold)) {
    const ty = y2 + BOTTOM - threshold * BOTTOM;
    parts.push(`<line x1="${PAD}" x2="${W - PAD}" y1="${ty}" y2="${ty}" stroke="#c03030" stroke-dasharray="4 3"/>`);
    for (let i = p; i < n; i++) if (s[i] >= threshold) parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y2 + BOTTOM - s[i] * BOTTOM}" r="3" fill="#d02020"/>`);
  }
  parts.push(`<text x="${PAD}" y="18">${f.name}  (${n} rows; shaded: NAB windows; grey: probationary period; red: score ≥ ${threshold.toFixed(3)})</text>`);
  parts.push(`<text x="${PAD}" y="${y2 - 6}">anomaly score</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
