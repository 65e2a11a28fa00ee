// Prometheus text exposition (format 0.0.4) → samples. Written by hand because the installed
// `parse-prometheus-text-format` 1.1.1 loses the labels, _count and _sum of labelled histograms
// and keeps only the last label set (checked against prom-client output: `h_bucket{le,route}`
// for two routes comes back as one unlabelled series), which would make error rates and p95
// wrong for every prom-client service. The format is line-based and small; this follows
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details.

import { dict } from '../core/own.js';

export interface Sample {
  /** full sample name, e.g. http_request_duration_seconds_bucket */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** metric family name → TYPE (counter, gauge, histogram, summary, untyped) */
  types: Map<string, string>;
}

function parseValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s); // NaN stays NaN
}

/** Parses `{a="x",b="y\"z"}` starting at line[i] === '{'; returns labels and the index after '}'. */
function parseLabels(line: string, i: number): [Record<string, string>, number] {
  // a scraped target names the labels: no prototype, so `__proto__="x"` is a label like any other
  const labels = dict<string>();
  i++; // '{'
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return [labels, i + 1];
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error('label without =');
    const key = line.slice(i, eq).trim();
    i = eq + 1;
    while (line[i] === ' ') i++;
    if (line[i] !== '"') throw new Error(`label ${key} value not quoted`);
    i++;
    let v = '';
    while (i < line.length && line[i] !== '"') {
      if (line[i] === '\\') {
        const n = line[i + 1];
        v += n === 'n' ? '\n' : n;
        i += 2;
      } else v += line[i++];
    }
    if (i >= line.length) throw new Error('unterminated label value');
    labels[key] = v;
    i++; // closing quote
  }
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types.set(m[1], m[2].toLowerCase());
      continue;
    }
    try {
      let i = 0;
      while (i < line.length && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') i++;
      const name = line.slice(0, i);
      let labels: Record<string, string> = {};
      if (line[i] === '{') [labels, i] = parseLabels(line, i);
      const [value] = line.slice(i).trim().split(/\s+/);
      if (!name || value === undefined) continue;
      samples.push({ name, labels, value: parseValue(value) });
    } catch {
      // one malformed line does not cost the rest of the exposition
    }
  }
  return { samples, types };
}
