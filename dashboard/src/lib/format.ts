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
  if (a < 1) return v.toPrecision(2);
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
