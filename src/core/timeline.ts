// The event-sourced timeline: every stage appends one of these; status, the API, the live
// stream, the dashboard and the audit trail are all read from it.

export const TIMELINE_EVENT_TYPES = [
  'deployment.received',
  'watch.started',
  'signals.collected',
  'analysis.completed',
  'summary.written',
  // the LLM's restatement of a summary, or why the deterministic text stands (loop/narration.ts)
  'summary.narrated',
  'decision.made',
  'action.requested',
  'action.approved',
  'action.rejected',
  'action.executed',
  'action.failed',
  // a resumed action whose result could not be established: not repeated, escalated to a person
  'action.unknown',
  'outcome.verified',
  'watch.completed',
  'policy.updated',
  'notification.sent',
  'security.rejected',
  // what the world did with a deployment (e.g. the live demo started its processes, or cannot run that version)
  'deployment.note',
  // remediation pull requests and their review (src/remediation/)
  'remediation.requested',
  'remediation.prepared',
  'remediation.pr_opened',
  'remediation.skipped',
  'remediation.failed',
  'review.completed',
] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

/** An event before the store numbers and chains it. */
export interface NewTimelineEvent {
  /** null for events that belong to no deployment (policy.updated, security.rejected) */
  deploymentId: string | null;
  type: TimelineEventType;
  /** epoch ms (the injected clock's time) */
  at: number;
  /** 'system', 'policy:<version>', 'user:<name>', 'token:<name>' */
  actor: string;
  payload: Record<string, unknown>;
  /** makes appends idempotent: a second append with the same key returns the first event */
  dedupeKey?: string;
}

export interface TimelineEvent extends NewTimelineEvent {
  /** global, gap-free sequence number: the audit order */
  seq: number;
  /** sha256 hex of the previous event's hash + this event's canonical content */
  prevHash: string;
  hash: string;
}
