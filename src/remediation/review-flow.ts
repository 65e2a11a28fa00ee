// The whole review of one pull request: its head fetched into the local clone, the facts
// gathered (review-checks.ts), the deterministic rules, the optional LLM reviewer, then the
// review posted (reviewer.ts). Used for the commander's own PRs and, when configured, for
// pull_request webhooks of other PRs.
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import type { NarratorConfig } from '../summary/llm-narrator.js';
import type { Git } from './git.js';
import type { GithubClient, PullRequest } from './github-client.js';
import { llmReview } from './llm-review.js';
import type { RepoHandle } from './repo.js';
import { gatherFacts, type CheckSettings } from './review-checks.js';
import { reviewRules, type ReviewFinding } from './review-rules.js';
import { postReview, type PostedReview } from './reviewer.js';

export interface ReviewFlowDeps {
  git: Git;
  repo: RepoHandle;
  gh: GithubClient;
  store: Store;
  clock: Clock;
  checks: CheckSettings;
  requestChanges: boolean;
  llm?: NarratorConfig;
  log?: (line: string) => void;
}

/** Deterministic findings plus the LLM's checked remarks (when configured) for base...head. */
export async function reviewFindings(git: Git, repoDir: string, base: string, head: string, change: { title?: string; body?: string }, checks: CheckSettings, llm?: NarratorConfig, log?: (l: string) => void): Promise<ReviewFinding[]> {
  const facts = await gatherFacts(git, repoDir, base, head, change, checks);
  const findings = reviewRules(facts);
  if (llm) {
    const r = await llmReview(facts.files, llm);
    if (r.error) log?.(`llm reviewer: ${r.error}; keeping the deterministic findings`);
    if (r.dropped) log?.(`llm reviewer: dropped ${r.dropped} remark(s) that did not quote a hunk line`);
    findings.push(...r.findings);
  }
  return findings;
}

export async function reviewPullRequest(d: ReviewFlowDeps, pr: PullRequest, deploymentId: string | null, targetUrl?: string): Promise<PostedReview> {
  const cwd = d.repo.dir;
  // the PR's head and base as GitHub has them (a person may have pushed to the branch)
  await d.git.run(['fetch', '--quiet', d.repo.remote, `+refs/heads/${pr.baseRef}:refs/remotes/${d.repo.remote}/${pr.baseRef}`, `+refs/pull/${pr.number}/head:refs/commander/pull/${pr.number}`], { cwd, allowFail: true });
  const haveHead = (await d.git.run(['cat-file', '-e', `${pr.headSha}^{commit}`], { cwd, allowFail: true })).code === 0;
  if (!haveHead) await d.git.run(['fetch', '--quiet', d.repo.remote, pr.headRef], { cwd });
  const base = `refs/remotes/${d.repo.remote}/${pr.baseRef}`;
  const findings = await reviewFindings(d.git, cwd, base, pr.headSha, { title: pr.title, body: pr.body }, d.checks, d.llm, d.log);
  return postReview({ gh: d.gh, store: d.store, clock: d.clock, pr, findings, requestChanges: d.requestChanges, deploymentId, ...(targetUrl ? { targetUrl } : {}) });
}
