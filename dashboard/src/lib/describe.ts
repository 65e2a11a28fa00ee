// One readable line per timeline event, from whatever its payload carries.
import type { TimelineEvent } from '../../../src/core/timeline.js';
import type { Finding } from '../../../src/core/types.js';
import { actionLabel, formatConfidence, guardLabel, statusLabel } from './format.js';

type P = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): P => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as P) : {});

/** 90 → "90 s", 600 → "10 min", 5400 → "1.5 h". */
function seconds(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round((s / 60) * 10) / 10} min`;
  return `${Math.round((s / 3600) * 10) / 10} h`;
}

export const EVENT_LABEL: Record<string, string> = {
  'deployment.received': 'Deployment received',
  'deployment.note': 'Note',
  'watch.started': 'Watch started',
  'signals.collected': 'Signals collected',
  'analysis.completed': 'Analysis',
  'summary.written': 'Summary',
  'decision.made': 'Decision',
  'action.requested': 'Action requested',
  'action.approved': 'Approved',
  'action.rejected': 'Rejected',
  'action.executed': 'Action done',
  'action.failed': 'Action failed',
  'action.unknown': 'Action outcome unknown',
  'outcome.verified': 'Outcome',
  'watch.completed': 'Watch completed',
  'policy.updated': 'Policy updated',
  'notification.sent': 'Notification',
  'security.rejected': 'Rejected request',
  'remediation.requested': 'Remediation requested',
  'remediation.prepared': 'Remediation branch',
  'remediation.pr_opened': 'Pull request',
  'remediation.skipped': 'Remediation skipped',
  'remediation.failed': 'Remediation failed',
  'review.completed': 'Review',
};

export function describeEvent(ev: TimelineEvent): string {
  const p = ev.payload ?? {};
  switch (ev.type) {
    case 'deployment.received': {
      const d = obj(p.deployment);
      const v = str(d.version) ?? str(p.version);
      return v ? `${str(d.service) ?? str(p.service) ?? ''} ${v} (${str(d.environment) ?? str(p.environment) ?? ''})`.trim() : '';
    }
    case 'analysis.completed': {
      const a = obj(p.analysis);
      const fs = Array.isArray(a.findings) ? (a.findings as Finding[]) : Array.isArray(p.findings) ? (p.findings as Finding[]) : undefined;
      if (!fs) return num(p.findingCount) !== undefined ? `${p.findingCount} findings` : '';
      const top = [...fs].sort((x, y) => y.severity - x.severity)[0];
      return `${fs.length} finding${fs.length === 1 ? '' : 's'}${top ? `; top: ${top.text}` : ''}`;
    }
    case 'watch.started': {
      const w = num(p.windowSeconds);
      const b = num(p.baselineSeconds);
      const st = num(p.stepSeconds);
      if (w === undefined || b === undefined) return '';
      return `watching ${seconds(w)} after the deploy against the ${seconds(b)} before it${st !== undefined ? `, every ${seconds(st)}` : ''}`;
    }
    case 'summary.written':
      return str(obj(p.summary).headline) ?? str(p.headline) ?? '';
    case 'decision.made': {
      const d = Object.keys(obj(p.decision)).length ? obj(p.decision) : p;
      const g = obj(d.guard ?? p.guard);
      const parts = [actionLabel(str(d.action) ?? '?'), formatConfidence(num(d.confidence))];
      if (str(g.mode)) parts.push(`→ ${guardLabel(String(g.mode))}`);
      return parts.join(' ');
    }
    case 'action.requested':
    case 'action.executed':
    case 'action.failed': {
      const a = str(p.action) ?? str(obj(p.request).action);
      const detail = str(p.detail) ?? str(obj(p.result).detail) ?? str(p.error);
      return [a && actionLabel(a), detail].filter(Boolean).join(': ');
    }
    case 'action.unknown': {
      const a = str(p.action);
      return [a && actionLabel(a), 'not repeated; a person must check the target', str(p.evidence)].filter(Boolean).join(': ');
    }
    case 'action.approved':
    case 'action.rejected':
      return str(p.reason) ? `“${str(p.reason)}”` : 'no reason given';
    case 'outcome.verified': {
      const o = Object.keys(obj(p.outcome)).length ? obj(p.outcome) : p;
      const r = o.recovered === true ? 'recovered' : o.recovered === false ? 'not recovered' : '';
      return [r, str(o.detail)].filter(Boolean).join(': ');
    }
    case 'watch.completed':
      return str(p.status) ? statusLabel(String(p.status)) : '';
    case 'policy.updated':
      return str(p.version) ? `version ${p.version}` : '';
    case 'remediation.prepared':
      return `${str(p.branch) ?? ''} · ${Array.isArray(p.commits) ? p.commits.length : 0} commit(s) · ${num(p.files) ?? 0} file(s)`;
    case 'remediation.pr_opened':
      return `#${num(p.number) ?? '?'} ${str(p.url) ?? ''}${p.draft ? ' (draft)' : ''}`;
    case 'review.completed':
      return `${p.conclusion === 'failure' ? 'errors' : 'no errors'} · ${Array.isArray(p.findings) ? p.findings.length : 0} finding(s) · ${str(p.event) ?? ''}`;
    default:
      return str(p.message) ?? str(p.detail) ?? str(p.reason) ?? '';
  }
}

/** Lowercased text an audit search matches against. */
export function searchText(ev: TimelineEvent): string {
  return `${ev.seq} ${ev.type} ${ev.actor} ${ev.deploymentId ?? ''} ${JSON.stringify(ev.payload ?? {})}`.toLowerCase();
}
