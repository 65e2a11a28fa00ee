// The incident evidence a remediation rests on, read from the deployment's timeline: what the
// commander saw when it decided to roll back (not a later "healthy again" tick), what it did
// and what it verified. Both the PR body and the agent's task file are made from this.
import type { TimelineEvent } from '../core/timeline.js';
import type { Analysis, Finding, Outcome, Summary } from '../core/types.js';
import { deriveState, type ActionState, type DecisionState } from '../loop/state.js';
import { rankFindings } from '../summary/summarize.js';

export interface IncidentEvidence {
  summary?: Summary;
  /** ranked, most telling first */
  findings: Finding[];
  decision?: DecisionState;
  action?: ActionState;
  outcome?: Outcome;
  /** a rollback was executed and the outcome says health recovered */
  rollbackVerified: boolean;
  /** a rollback was executed (verified or not yet) */
  rolledBack: boolean;
}

export function incidentEvidence(events: readonly TimelineEvent[]): IncidentEvidence {
  const s = deriveState(events);
  const action = [...s.actions].reverse().find((a) => a.action === 'rollback' && a.status === 'executed');
  const decision = action ? s.decisions.find((d) => d.id === action.decisionId) : undefined;
  // The analysis and summary the decision rested on: the last ones written up to its tick.
  let analysis: Analysis | undefined;
  let summary: Summary | undefined;
  const upTo = decision ? events.find((e) => e.type === 'decision.made' && e.payload.decisionId === decision.id)?.seq ?? Infinity : Infinity;
  for (const e of events) {
    if (e.seq > upTo) break;
    if (e.type === 'analysis.completed') analysis = e.payload.analysis as Analysis;
    if (e.type === 'summary.written') summary = e.payload.summary as Summary;
  }
  const outcome = s.outcome;
  return {
    ...(summary ? { summary } : {}),
    findings: rankFindings(analysis?.findings ?? []),
    ...(decision ? { decision } : {}),
    ...(action ? { action } : {}),
    ...(outcome ? { outcome } : {}),
    rolledBack: !!action,
    rollbackVerified: !!action && !!outcome && outcome.action === 'rollback' && outcome.recovered,
  };
}

/** "name=value" pairs of a finding's statistics, rounded for reading. */
export function statsLine(stats: Record<string, number>): string {
  return Object.entries(stats)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : Math.abs(v) < 0.001 && v !== 0 ? v.toExponential(2) : +v.toPrecision(4)}`)
    .join(', ');
}
