// A deployment's remediation, derived only from its timeline (like the watch's own state), so a
// re-run, a restarted process, the API and the dashboard all see the same thing.
//
// Event payloads (dedupe keys in brackets; n = attempt, 1 + the failures before it):
//   remediation.requested {mode, attempt, actor}                          [<id>:remediation:<mode>:<n>:requested]
//   remediation.prepared  {mode, attempt, branch, base, head, range, commits, diffstat, files}
//                                                                         [<id>:remediation:<mode>:<n>:prepared]
//   remediation.pr_opened {mode, number, url, branch, head, draft, adopted}  [<id>:remediation:<mode>:pr_opened]
//   remediation.skipped   {mode, reason, code, pr?}                       [<id>:remediation:<mode>:skipped:<code>]
//   remediation.failed    {mode, attempt, stage, reason, ...detail}       [<id>:remediation:<mode>:<n>:failed]
//   review.completed      {repository, pr, head, event, conclusion, findings, inline, summaryOnly}
//                                                                         [review:<repository>#<pr>:<head>]
import type { TimelineEvent } from '../core/timeline.js';
import type { RemediationMode } from './pr-body.js';
import type { RangeCommit } from './range.js';
import type { ReviewFinding } from './review-rules.js';

export type RemediationStatus = 'none' | 'requested' | 'prepared' | 'pr_opened' | 'skipped' | 'failed';

export interface RemediationPr {
  number: number;
  url: string;
  branch: string;
  head: string;
  draft: boolean;
  adopted: boolean;
}

export interface ReviewSummary {
  pr: number;
  head: string;
  event: string;
  conclusion: 'success' | 'failure';
  findings: ReviewFinding[];
  at: number;
}

export interface RemediationState {
  mode: RemediationMode;
  status: RemediationStatus;
  attempt: number;
  /** failures so far: the next attempt is failures + 1 */
  failures: number;
  branch?: string;
  range?: { from: string; to: string };
  commits?: RangeCommit[];
  diffstat?: string;
  pr?: RemediationPr;
  reason?: string;
  stage?: string;
  skipCode?: string;
  review?: ReviewSummary;
  updatedAt?: number;
}

type P = Record<string, unknown>;

export function remediationState(events: readonly TimelineEvent[], mode: RemediationMode): RemediationState {
  const s: RemediationState = { mode, status: 'none', attempt: 0, failures: 0 };
  for (const e of events) {
    const p = e.payload as P;
    if (e.type === 'review.completed') {
      if (s.pr && p.pr === s.pr.number) s.review = { pr: s.pr.number, head: String(p.head), event: String(p.event), conclusion: p.conclusion === 'failure' ? 'failure' : 'success', findings: (p.findings as ReviewFinding[]) ?? [], at: e.at };
      continue;
    }
    if (!e.type.startsWith('remediation.') || p.mode !== mode) continue;
    s.updatedAt = e.at;
    switch (e.type) {
      case 'remediation.requested':
        s.attempt = Number(p.attempt) || s.failures + 1;
        // a PR or a person's "no" outlives later requests
        if (s.status !== 'pr_opened' && s.status !== 'skipped') s.status = 'requested';
        break;
      case 'remediation.prepared':
        if (s.status !== 'pr_opened' && s.status !== 'skipped') s.status = 'prepared';
        s.branch = String(p.branch);
        s.range = p.range as { from: string; to: string };
        s.commits = p.commits as RangeCommit[];
        s.diffstat = String(p.diffstat ?? '');
        break;
      case 'remediation.pr_opened':
        s.status = 'pr_opened';
        s.pr = { number: Number(p.number), url: String(p.url), branch: String(p.branch), head: String(p.head), draft: p.draft === true, adopted: p.adopted === true };
        s.branch = s.pr.branch;
        break;
      case 'remediation.skipped':
        // a PR closed without merging ends even an opened remediation
        if (s.status !== 'pr_opened' || p.code === 'closed_unmerged') s.status = 'skipped';
        s.reason = String(p.reason ?? '');
        s.skipCode = String(p.code ?? '');
        break;
      case 'remediation.failed':
        s.failures += 1;
        if (s.status !== 'pr_opened' && s.status !== 'skipped') s.status = 'failed';
        s.reason = String(p.reason ?? '');
        s.stage = String(p.stage ?? '');
        break;
      default:
        break;
    }
  }
  return s;
}

/** The mode whose remediation the deployment has (the latest touched), default `fallback`. */
export function latestMode(events: readonly TimelineEvent[], fallback: RemediationMode): RemediationMode {
  for (let i = events.length - 1; i >= 0; i--) {
    const m = events[i].payload.mode;
    if (events[i].type.startsWith('remediation.') && (m === 'revert' || m === 'agent')) return m;
  }
  return fallback;
}

export const keys = {
  requested: (id: string, mode: RemediationMode, n: number) => `${id}:remediation:${mode}:${n}:requested`,
  prepared: (id: string, mode: RemediationMode, n: number) => `${id}:remediation:${mode}:${n}:prepared`,
  failed: (id: string, mode: RemediationMode, n: number) => `${id}:remediation:${mode}:${n}:failed`,
  prOpened: (id: string, mode: RemediationMode) => `${id}:remediation:${mode}:pr_opened`,
  skipped: (id: string, mode: RemediationMode, code: string) => `${id}:remediation:${mode}:skipped:${code}`,
  review: (repository: string, pr: number, head: string) => `review:${repository}#${pr}:${head}`,
};
