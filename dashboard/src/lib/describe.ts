// One readable line per timeline event, from whatever its payload carries.
import type { TimelineEvent } from '../../../src/core/timeline.js';
import type { Finding } from '../../../src/core/types.js';
import { actionLabel, formatConfidence, statusLabel } from './format.js';

type P = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): P => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as P) : {});

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
    case 'summary.written':
      return str(obj(p.summary).headline) ?? str(p.headline) ?? '';
    case 'decision.made': {
      const d = Object.keys(obj(p.decision)).length ? obj(p.decision) : p;
      const g = obj(d.guard ?? p.guard);
      const parts = [actionLabel(str(d.action) ?? '?'), formatConfidence(num(d.confidence))];
      if (str(g.mode)) parts.push(`→ ${String(g.mode).replace('_', ' ')}`);
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
    default:
      return str(p.message) ?? str(p.detail) ?? str(p.reason) ?? '';
  }
}

/** Lowercased text an audit search matches against. */
export function searchText(ev: TimelineEvent): string {
  return `${ev.seq} ${ev.type} ${ev.actor} ${ev.deploymentId ?? ''} ${JSON.stringify(ev.payload ?? {})}`.toLowerCase();
}
