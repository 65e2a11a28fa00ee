// A finding in words: what kind of thing it is, what it points to, and the numbers behind it
// as a person would say them ("p = 3e-25, 264/min after vs 0 before"). The raw statistics stay
// available behind a details toggle; the page never shows an internal stat name as the message.
// Stat names are read defensively: a finding without them still gets its own text.
import type { Finding } from '../../../src/core/types.js';
import { formatMetric, formatP, formatStat, metricLabel } from './format.js';

export const LOG_KINDS: ReadonlySet<string> = new Set(['log_new', 'log_spike']);

/** What the log miner thinks a template's lines are about (its kind_* flags). */
const LOG_CAUSE: Record<string, string> = {
  kind_code: 'program fault',
  kind_dependency: 'a dependency failing',
  kind_capacity: 'out of capacity',
  kind_config: 'configuration problem',
  kind_telemetry: 'telemetry problem',
};

const COMPARISON: Record<string, string> = {
  before_after: 'after vs before the deploy',
  canary_stable: 'canary vs stable group',
  trend: 'trend since the deploy',
};

export interface FindingWords {
  /** short title: "New error log line", "Error rate moved up" */
  title: string;
  /** the cause in words, when the analysis classified it ("program fault") */
  cause?: string;
  /** what it was compared with, in words */
  comparison?: string;
  /** the numbers behind the claim, each a short phrase */
  facts: string[];
  /** how strongly it says something is wrong */
  strength: 'strong' | 'moderate' | 'weak' | 'context';
}

const n = (s: Record<string, number>, k: string): number | undefined => (typeof s[k] === 'number' && Number.isFinite(s[k]) ? s[k] : undefined);

function perMin(v: number): string {
  return v >= 10 ? String(Math.round(v)) : formatStat(v);
}

function strength(sev: number): FindingWords['strength'] {
  if (sev <= 0) return 'context';
  return sev >= 0.7 ? 'strong' : sev >= 0.4 ? 'moderate' : 'weak';
}

function logWords(f: Finding): Omit<FindingWords, 'strength'> {
  const s = f.stats ?? {};
  const level = f.evidence?.level ?? 'log';
  const causeKey = Object.keys(LOG_CAUSE).find((k) => s[k] === 1);
  const facts: string[] = [];
  const p = n(s, 'p_value');
  const after = n(s, 'per_min_after');
  const before = n(s, 'per_min_before');
  if (after !== undefined && before !== undefined) facts.push(`${p !== undefined ? `${formatP(p)}, ` : ''}${perMin(after)}/min after vs ${perMin(before)} before`);
  else if (p !== undefined) facts.push(formatP(p));
  const ca = n(s, 'count_after');
  const cb = n(s, 'count_before');
  if (ca !== undefined) facts.push(`${formatStat(ca)} line${ca === 1 ? '' : 's'} since the deploy${cb !== undefined ? `, ${formatStat(cb)} before` : ''}`);
  return {
    title: f.kind === 'log_new' ? `New ${level} log line` : `${level[0]!.toUpperCase()}${level.slice(1)} log line spiking`,
    ...(causeKey ? { cause: LOG_CAUSE[causeKey] } : {}),
    facts,
  };
}

function metricWords(f: Finding): Omit<FindingWords, 'strength'> {
  const s = f.stats ?? {};
  const m = f.subject;
  const fm = (v: number) => formatMetric(m, v);
  const facts: string[] = [];
  const label = metricLabel(m);
  const dir = f.direction === 'up' ? 'up' : f.direction === 'down' ? 'down' : 'changed';
  const before = n(s, 'before_median');
  const now = n(s, 'recent_median') ?? n(s, 'after_median') ?? n(s, 'current');
  switch (f.kind) {
    case 'metric_shift': {
      if (f.comparison === 'canary_stable') {
        const delta = n(s, 'delta');
        if (delta !== undefined) facts.push(`canary ${delta >= 0 ? 'above' : 'below'} the stable group by ${fm(Math.abs(delta))}`);
      } else if (now !== undefined && before !== undefined) {
        facts.push(`median ${fm(now)} now vs ${fm(before)} before`);
      }
      // the test that made the call: a run of newest samples beyond the normal range, else the rank test
      const run = n(s, 'run_length');
      const z = n(s, 'z');
      const zc = n(s, 'z_crit');
      if (run !== undefined) facts.push(`the last ${run} samples all beyond the normal range`);
      else if (z !== undefined && zc !== undefined && Math.abs(z) >= zc) facts.push(`rank test z = ${formatStat(z)} (needs ${formatStat(zc)})`);
      if (s.sustained === 0) facts.push('not sustained at the latest sample');
      if (s.practical === 0) facts.push('too small to matter');
      const nb = n(s, 'n_before');
      const na = n(s, 'n_after');
      if (nb !== undefined && na !== undefined) facts.push(`${na} samples after vs ${nb} before`);
      return { title: `${label} ${dir === 'changed' ? 'changed' : `moved ${dir}`}`, facts };
    }
    case 'metric_spread': {
      const r = n(s, 'spread_ratio');
      if (r !== undefined) facts.push(`varies ${formatStat(r)}× as much as before`);
      return { title: `${label} more erratic`, facts };
    }
    case 'metric_trend': {
      const slope = n(s, 'slope_per_min');
      if (slope !== undefined) facts.push(`grows ${fm(slope)}/min`);
      if (now !== undefined && before !== undefined) facts.push(`${fm(now)} now vs ${fm(before)} before`);
      const ttl = n(s, 'time_to_limit_min');
      if (ttl !== undefined) {
        const lo = n(s, 'time_to_limit_lo_min');
        const hi = s.time_to_limit_hi_min;
        facts.push(`limit reached in ~${formatStat(ttl)} min${lo !== undefined ? ` (${formatStat(lo)}–${Number.isFinite(hi) ? formatStat(hi!) : '∞'} min)` : ''}`);
      }
      return { title: `${label} growing towards its limit`, facts };
    }
    case 'load_change': {
      const ratio = n(s, 'recent_ratio') ?? n(s, 'load_ratio');
      if (now !== undefined && before !== undefined) facts.push(`${fm(now)} now vs ${fm(before)} before`);
      if (ratio !== undefined) facts.push(`request rate ×${formatStat(ratio)}`);
      // context findings are written whatever the size of the change: ±10% is steady traffic
      const steady = ratio !== undefined && Math.abs(ratio - 1) < 0.1;
      return { title: m === 'request_rate' ? (steady ? 'Traffic steady' : `Traffic ${dir === 'changed' ? 'changed' : dir}`) : `${label} follows the traffic`, facts };
    }
    default:
      return { title: label, facts };
  }
}

function restartWords(f: Finding): Omit<FindingWords, 'strength'> {
  const s = f.stats ?? {};
  const facts: string[] = [];
  const inc = n(s, 'increase');
  const reps = n(s, 'replicas');
  if (inc !== undefined) facts.push(`${formatStat(inc)} restart${inc === 1 ? '' : 's'} since the deploy${reps !== undefined ? ` across ${reps} replica${reps === 1 ? '' : 's'}` : ''}`);
  const st = n(s, 'stable_increase');
  if (st) facts.push(`${formatStat(st)} on the stable group`);
  return { title: f.subject.includes('stable') ? 'Restarts on the stable group' : 'Restarts', facts };
}

function traceWords(f: Finding): Omit<FindingWords, 'strength'> {
  const s = f.stats ?? {};
  const facts: string[] = [];
  const ea = n(s, 'error_rate_after');
  const eb = n(s, 'error_rate_before');
  const pe = n(s, 'p_errors');
  if (ea !== undefined && eb !== undefined) facts.push(`errors ${formatMetric('error_rate', ea)} of calls vs ${formatMetric('error_rate', eb)} before${pe !== undefined && pe < 0.05 ? ` (${formatP(pe)})` : ''}`);
  const da = n(s, 'duration_median_after');
  const db = n(s, 'duration_median_before');
  if (da !== undefined && db !== undefined) facts.push(`median ${formatStat(da)} ms vs ${formatStat(db)} ms before`);
  const sa = n(s, 'spans_after');
  const sb = n(s, 'spans_before');
  if (sa !== undefined && sb !== undefined) facts.push(`${formatStat(sa)} calls traced after, ${formatStat(sb)} before`);
  return { title: `Operation ${f.subject}`, facts };
}

function gapWords(f: Finding): Omit<FindingWords, 'strength'> {
  const s = f.stats ?? {};
  if (s.source_failed === 1) return { title: `Source ${f.subject} failing`, facts: ['the source did not answer: missing data, not a sign of trouble in the service'] };
  const g = n(s, 'gapped_metrics');
  const w = n(s, 'watched_metrics');
  const names = f.subject.split(',').filter(Boolean).map(metricLabel).join(', ');
  return { title: 'Telemetry missing', facts: [`${g !== undefined && w !== undefined ? `${g} of ${w} metrics` : 'metrics'} stopped arriving${names ? `: ${names}` : ''}`] };
}

export function findingWords(f: Finding): FindingWords {
  let w: Omit<FindingWords, 'strength'>;
  if (LOG_KINDS.has(f.kind)) w = logWords(f);
  else if (f.kind === 'restarts') w = restartWords(f);
  else if (f.kind === 'trace_operation') w = traceWords(f);
  else if (f.kind === 'data_gap') w = gapWords(f);
  else w = metricWords(f);
  const comparison = COMPARISON[f.comparison];
  return { ...w, ...(comparison && !LOG_KINDS.has(f.kind) ? { comparison } : {}), strength: strength(f.severity) };
}

/** Strongest first; context (severity 0) last. */
export function rankFindings(fs: readonly Finding[]): Finding[] {
  return [...fs].sort((a, b) => b.severity - a.severity || a.id.localeCompare(b.id));
}
