// Shapes of the HTTP API's JSON answers, shared by the server and the dashboard.
import type { Action, Analysis, Decision, Deployment, GuardMode, Outcome, Summary } from './types.js';
import type { TimelineEvent } from './timeline.js';

/** One row of GET /api/deployments */
export interface DeploymentListItem extends Deployment {
  /** latest decision, if any */
  decision?: { action: Action; confidence: number; at: number };
  /** headline of the latest summary */
  headline?: string;
  /** id of the pending decision awaiting approval, if any */
  pendingDecisionId?: string;
}

export interface DeploymentListResponse {
  deployments: DeploymentListItem[];
}

export interface DecisionRecord extends Decision {
  /** id used by /api/decisions/:id/approve|reject */
  id: string;
  at: number;
  guard: { mode: GuardMode; reason: string };
  /** 'pending' while awaiting approval */
  approval?: 'pending' | 'approved' | 'rejected' | 'not_needed';
  /** who approved or rejected it, and why (also in the audit trail) */
  approvalBy?: string;
  approvalReason?: string;
}

export interface ActionRecord {
  id: string;
  decisionId: string;
  action: Exclude<Action, 'continue'>;
  requestedAt: number;
  status: 'requested' | 'executed' | 'failed' | 'unknown' | 'dry_run';
  actuator: string;
  detail?: string;
  finishedAt?: number;
}

/** GET /api/deployments/:id */
export interface DeploymentDetailResponse {
  deployment: Deployment;
  events: TimelineEvent[];
  summary?: Summary;
  /** latest analysis (findings with statistics) */
  analysis?: Analysis;
  decisions: DecisionRecord[];
  actions: ActionRecord[];
  outcome?: Outcome;
  /** metric series around the deploy for charts: name → [[t, v]] (after), and baseline/canary bands */
  series?: Record<string, { points: Array<[number, number]>; baseline?: Array<[number, number]> }>;
}

export interface ApiError {
  error: string;
  /** the field at fault, for validation errors */
  field?: string;
}
