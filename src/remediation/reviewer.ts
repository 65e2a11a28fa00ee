// Posts the review of one pull request: at most once per head commit, inline comments only on
// lines inside the PR's hunks (as GitHub itself reports them), `COMMENT` unless
// REQUEST_CHANGES is configured and there are errors (never APPROVE), one sticky summary
// comment updated in place, the commit status `devops-commander/review`, and a
// `review.completed` event on the timeline.
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import { parseUnifiedDiff, type FileDiff } from './diff.js';
import type { GithubClient, PullFile, PullRequest, ReviewComment } from './github-client.js';
import { hasErrors, RULES, type ReviewFinding } from './review-rules.js';
import { keys } from './state.js';

export const STATUS_CONTEXT = 'devops-commander/review';
const REVIEW_MARKER = '<!-- devops-commander:review head=';
const STICKY_MARKER = '<!-- devops-commander:review-summary -->';

export interface PostedReview {
  posted: boolean;
  /** why nothing was posted (already reviewed at this head) */
  reason?: string;
  event: 'COMMENT' | 'REQUEST_CHANGES';
  conclusion: 'success' | 'failure';
  findings: ReviewFinding[];
  inline: number;
}

export interface PostReviewOptions {
  gh: GithubClient;
  store: Store;
  clock: Clock;
  pr: PullRequest;
  findings: ReviewFinding[];
  /** REQUEST_CHANGES on errors only when configured */
  requestChanges: boolean;
  deploymentId: string | null;
  /** link for the status and the summary (the deployment's timeline) */
  targetUrl?: string;
  actor?: string;
}

/** New-file lines inside the hunks GitHub shows for the PR: the only places inline comments may go. */
export function hunksOf(files: readonly PullFile[]): FileDiff[] {
  return files.filter((f) => f.patch).flatMap((f) => parseUnifiedDiff(`--- a/${f.filename}\n+++ b/${f.filename}\n${f.patch}\n`).map((d) => ({ ...d, path: f.filename })));
}

export async function postReview(o: PostReviewOptions): Promise<PostedReview> {
  const { gh, pr } = o;
  const errors = hasErrors(o.findings);
  const event = o.requestChanges && errors ? 'REQUEST_CHANGES' : 'COMMENT';
  const conclusion = errors ? 'failure' : 'success';
  const base = { event, conclusion, findings: o.findings } as const;
  const dedupeKey = keys.review(gh.repository, pr.number, pr.headSha);

  // Once per head commit: the timeline remembers, and so does GitHub (a crash between posting
  // and recording must not post twice).
  if (o.deploymentId && (await o.store.events(o.deploymentId)).some((e) => e.dedupeKey === dedupeKey)) return { ...base, posted: false, reason: 'already reviewed at this head', inline: 0 };
  const earlier = (await gh.reviews(pr.number)).find((r) => r.commitId === pr.headSha && r.body.includes(REVIEW_MARKER));

  const hunks = hunksOf(await gh.pullFiles(pr.number));
  const inline: ReviewComment[] = [];
  const rest: ReviewFinding[] = [];
  for (const f of o.findings) {
    const onHunk = f.path !== undefined && f.line !== undefined && hunks.some((h) => h.path === f.path && h.commentable.has(f.line!));
    if (onHunk) inline.push({ path: f.path!, line: f.line!, side: 'RIGHT', body: `**${f.severity}** \`${f.ruleId}\`: ${f.message}` });
    else rest.push(f);
  }

  if (!earlier) {
    const body = reviewBody(pr.headSha, o.findings, rest);
    try {
      await gh.createReview(pr.number, { commitId: pr.headSha, body, event, comments: inline.slice(0, 50) });
    } catch (e) {
      // GitHub's hunks can differ from what we computed (a push raced us): say it all in the body
      if ((e as { detail?: { status?: number } }).detail?.status !== 422 || !inline.length) throw e;
      await gh.createReview(pr.number, { commitId: pr.headSha, body: reviewBody(pr.headSha, o.findings, o.findings), event, comments: [] });
      inline.length = 0;
    }
  }

  await upsertSticky(gh, pr.number, summaryComment(pr.headSha, o.findings, o.targetUrl));
  const status = { state: conclusion, context: STATUS_CONTEXT, description: countLine(o.findings), ...(o.targetUrl ? { targetUrl: o.targetUrl } : {}) } as const;
  // after a crash between the review and the status, set it; otherwise it is there already
  const current = earlier ? (await gh.statuses(pr.headSha)).find((x) => x.context === STATUS_CONTEXT) : undefined;
  if (!current || current.state !== status.state || current.description !== status.description) await gh.createStatus(pr.headSha, status);
  if (o.deploymentId)
    await o.store.append({
      deploymentId: o.deploymentId,
      type: 'review.completed',
      at: o.clock.now(),
      actor: o.actor ?? 'system',
      payload: { repository: gh.repository, pr: pr.number, head: pr.headSha, event, conclusion, findings: o.findings, inline: inline.length, ...(earlier ? { reviewId: earlier.id, recovered: true } : {}) },
      dedupeKey,
    });
  return { ...base, posted: !earlier, ...(earlier ? { reason: 'already reviewed at this head' } : {}), inline: inline.length };
}

async function upsertSticky(gh: GithubClient, number: number, body: string): Promise<void> {
  const mine = (await gh.issueComments(number)).find((c) => c.body.includes(STICKY_MARKER));
  if (!mine) await gh.createIssueComment(number, body);
  else if (mine.body !== body) await gh.updateIssueComment(mine.id, body);
}

export function countLine(findings: readonly ReviewFinding[]): string {
  const n = (s: string) => findings.filter((f) => f.severity === s).length;
  const e = n('error');
  const w = n('warning');
  return e === 0 && w === 0 ? 'no problems found' : `${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}`;
}

function findingLine(f: ReviewFinding): string {
  return `- **${f.severity}** \`${f.ruleId}\`${f.path ? ` ${f.path}${f.line ? `:${f.line}` : ''}` : ''}: ${f.message}`;
}

function reviewBody(head: string, all: readonly ReviewFinding[], summaryOnly: readonly ReviewFinding[]): string {
  const lines = [`${REVIEW_MARKER}${head} -->`, `**DevOps Commander review** of ${head.slice(0, 12)}: ${countLine(all)}.`];
  if (summaryOnly.length) lines.push('', ...summaryOnly.map(findingLine));
  if (all.length > summaryOnly.length) lines.push('', `${all.length - summaryOnly.length} more on the lines they concern.`);
  lines.push('', '_Automated review; it never approves. A person decides._');
  return lines.join('\n');
}

function summaryComment(head: string, findings: readonly ReviewFinding[], link?: string): string {
  const lines = [STICKY_MARKER, `### DevOps Commander review`, '', `Head ${head.slice(0, 12)}: **${countLine(findings)}**.`];
  if (findings.length) lines.push('', ...findings.map(findingLine));
  const ids = [...new Set(findings.map((f) => f.ruleId))];
  if (ids.length) lines.push('', '<details><summary>Rules</summary>', '', ...ids.map((id) => `- \`${id}\`: ${RULES[id]}`), '', '</details>');
  if (link) lines.push('', `Deployment timeline: ${link}`);
  return lines.join('\n');
}
