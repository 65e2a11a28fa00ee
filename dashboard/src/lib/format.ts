// Display formatting shared by every page. Pure (no DOM) so test/dashboard can exercise it.
import type { Action, DeploymentStatus } from '../../../src/core/types.js';

/** "3s", "4m", "2h 5m", "3d" — how long ago `at` happened relative to `now` (both epoch ms). */
export function formatAge(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** Confidence 0..1 as a whole percentage; '—' when unknown. */
export function formatConfidence(c: number | undefined): string {
  if (c === undefined || !Number.isFinite(c)) return '—';
  return `${Math.round(c * 100)}%`;
}

export function formatTime(at: number): string {
  if (!Number.isFinite(at)) return '—';
  return new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A statistic for a human: small numbers keep significant digits, big ones get separators. */
export function formatStat(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 0.001) return v.toExponential(1);
  if (a < 1) return String(Number(v.toPrecision(2)));
  if (a < 100) return String(Math.round(v * 100) / 100);
  return Math.round(v).toLocaleString('en-US');
}

/** Value of a standard metric with its unit (rates are fractions, memory in bytes). */
export function formatMetric(metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (metric === 'error_rate' || metric === 'cpu_utilization') return `${formatStat(v * 100)}%`;
  if (metric === 'memory_bytes') return `${formatStat(v / 1048576)} MiB`;
  if (metric.endsWith('_ms')) return `${formatStat(v)} ms`;
  if (metric === 'request_rate') return `${formatStat(v)}/s`;
  return formatStat(v);
}

const METRIC_LABEL: Record<string, string> = {
  error_rate: 'Error rate',
  latency_p95_ms: 'Latency (p95)',
  cpu_utilization: 'CPU',
  memory_bytes: 'Memory',
  request_rate: 'Requests',
  restarts: 'Restarts',
};

/** A metric's name for a person; a metric the product does not know keeps its own name. */
export function metricLabel(metric: string): string {
  return METRIC_LABEL[metric] ?? metric;
}

/** An action as a noun: "after the rollback". */
export function actionNoun(action: string): string {
  return ({ rollback: 'rollback', scale_up: 'scale-up', escalate: 'escalation', continue: 'decision to continue' } as Record<string, string>)[action] ?? action;
}

/** Who wrote a summary: the deterministic writer, or a language model that narrated the findings. */
export function authorLabel(author: string): string {
  if (author === 'deterministic') return 'the commander from its analysis (no language model)';
  return author.startsWith('llm:') ? `${author.slice(4)} (language model), checked against the analysis` : author;
}

/** What the guardrails let a decision do, in words. */
export function guardLabel(mode: string): string {
  return (
    { execute: 'acted on its own', await_approval: 'waits for a person', dry_run: 'dry run: recorded, not done', record_only: 'recorded only' }[mode] ??
    mode.replace(/_/g, ' ')
  );
}

/** A p-value as people write it: "p < 0.001" is too coarse next to 3e-25, so small ones keep their exponent. */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'p = ?';
  if (p >= 0.001) return `p = ${p.toPrecision(2)}`;
  const [m, e] = p.toExponential(0).split('e');
  return `p = ${m}e${e}`;
}

export const ACTION_LABEL: Record<Action, string> = {
  continue: 'Continue',
  rollback: 'Roll back',
  scale_up: 'Scale up',
  escalate: 'Escalate',
};

export const STATUS_LABEL: Record<DeploymentStatus, string> = {
  watching: 'Watching',
  awaiting_approval: 'Awaiting approval',
  acting: 'Acting',
  verifying: 'Verifying',
  healthy: 'Healthy',
  rolled_back: 'Rolled back',
  scaled_up: 'Scaled up',
  escalated: 'Escalated',
  action_failed: 'Action failed',
  action_unknown: 'Action outcome unknown',
  not_recovered: 'Not recovered',
  cancelled: 'Cancelled',
};

/** Colour class of a status badge: ok / warn / bad / info. */
export function statusTone(status: string): 'ok' | 'warn' | 'bad' | 'info' {
  switch (status) {
    case 'healthy':
    case 'scaled_up':
      return 'ok';
    case 'rolled_back':
    case 'awaiting_approval':
    case 'escalated':
      return 'warn';
    case 'action_failed':
    case 'action_unknown':
    case 'not_recovered':
      return 'bad';
    default:
      return 'info';
  }
}

export function statusLabel(status: string): string {
  return (STATUS_LABEL as Record<string, string>)[status] ?? status;
}

export function actionLabel(action: string): string {
  return (ACTION_LABEL as Record<string, string>)[action] ?? action;
}
