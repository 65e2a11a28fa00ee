// One remediation of one deployment, end to end and idempotent: request → range → branch
// (revert, or an agent's judged fix) → push → pull request → review. Every stage is recorded on
// the timeline with a dedupe key; a re-run finds its PR again (timeline, then
// `GET /pulls?head=owner:branch&state=all` with the body's marker) and adds nothing; a crash
// between push and PR creation finds the pushed branch and opens the one PR; a PR closed
// without merging is a person's "no" and is recorded, never reopened.
import { resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import type { Deployment } from '../core/types.js';
import { remediationFor, type RemediationConfig } from '../config/remediation.js';
import type { NarratorConfig } from '../summary/llm-narrator.js';
import { prepareAgentFix } from './agent-fix.js';
import { RemediationError } from './errors.js';
import { incidentEvidence } from './evidence.js';
import { gitWithToken, type Git } from './git.js';
import { GithubClient, repositoryFromRemote, type PullRequest } from './github-client.js';
import { branchName, commitMessage, deploymentLink, parseMarker, prBody, prTitle, type RemediationMode } from './pr-body.js';
import { findBadRange, resolveBad, type PrevCandidate } from './range.js';
import { baseCommit, openRepository, pushBranch, remoteBranchHead, type RepoHandle } from './repo.js';
import type { CheckSettings } from './review-checks.js';
import { reviewPullRequest } from './review-flow.js';
import type { PostedReview } from './reviewer.js';
import { buildRevertBranch, type BuiltBranch } from './revert.js';
import { commanderSecrets } from './run-command.js';
import { keys, remediationState, type RemediationPr } from './state.js';

export interface RemediationDeps {
  store: Store;
  clock: Clock;
  config: RemediationConfig;
  /** the dashboard's public URL, for the PR's link */
  dashboardUrl: string;
  /** where the token is read (default process.env) */
  env?: NodeJS.ProcessEnv;
  gitBinary?: string;
  /** the LLM reviewer's endpoint, when remediation.review.llm is on */
  llm?: NarratorConfig;
  log?: (line: string) => void;
}

export interface RemediateRequest {
  deploymentId: string;
  mode?: RemediationMode;
  /** build the branch locally and describe the PR; push nothing, send nothing, record nothing */
  dryRun?: boolean;
  actor?: string;
  /** the repository, over the config's (the CLI's --repo) */
  repo?: string;
}

export interface RemediationResult {
  status: 'dry_run' | 'pr_opened' | 'exists' | 'skipped' | 'failed';
  mode: RemediationMode;
  deploymentId: string;
  branch: string;
  range?: { from: string; to: string };
  commits?: Array<{ sha: string; subject: string; merge: boolean }>;
  diffstat?: string;
  title?: string;
  body?: string;
  pr?: RemediationPr;
  reason?: string;
  stage?: string;
  review?: PostedReview;
}

/** Refusals of the request itself (nothing recorded): unknown deployment, nothing rolled back. */
export class RemediationRefused extends Error {
  constructor(
    message: string,
    readonly status: 404 | 409 | 400,
  ) {
    super(message);
  }
}

export async function remediate(req: RemediateRequest, deps: RemediationDeps): Promise<RemediationResult> {
  const { store, clock } = deps;
  const d = await store.getDeployment(req.deploymentId);
  if (!d) throw new RemediationRefused(`no deployment ${req.deploymentId}`, 404);
  const cfg = remediationFor(deps.config, d.service);
  const mode = req.mode ?? cfg.mode;
  const branch = branchName(d.id, mode);
  const events = await store.events(d.id);
  const evidence = incidentEvidence(events);
  if (!evidence.rolledBack) throw new RemediationRefused(`deployment ${d.id} was not rolled back (status ${d.status}): there is nothing to remediate`, 409);
  const prior = remediationState(events, mode);
  const result = (r: Omit<RemediationResult, 'mode' | 'deploymentId' | 'branch'>): RemediationResult => ({ mode, deploymentId: d.id, branch, ...r });
  if (!req.dryRun && prior.status === 'skipped') return result({ status: 'skipped', reason: prior.reason ?? 'skipped before', ...(prior.pr ? { pr: prior.pr } : {}) });

  const repoPath = req.repo ?? cfg.repo;
  if (!repoPath) throw new RemediationRefused(`no repository for ${d.service}: set remediation.repo (or remediation.services.${d.service}.repo), or pass --repo`, 400);
  const env = deps.env ?? process.env;
  const token = env[cfg.github.tokenEnv]?.trim() || undefined;
  if (!req.dryRun && !token) throw new RemediationRefused(`${cfg.github.tokenEnv} is not set: the GitHub token is read from that environment variable (remediation.github.tokenEnv)`, 400);
  const git = gitWithToken(token, deps.gitBinary);
  const secrets = commanderSecrets(env, cfg.github.tokenEnv);

  const actor = req.actor ?? 'system';
  const attempt = prior.failures + 1;
  const record = async (type: 'remediation.requested' | 'remediation.prepared' | 'remediation.pr_opened' | 'remediation.skipped' | 'remediation.failed', payload: Record<string, unknown>, dedupeKey: string) => {
    if (req.dryRun) return;
    await store.append({ deploymentId: d.id, type, at: clock.now(), actor, payload: { mode, ...payload }, dedupeKey });
  };
  const closedUnmerged = (pr: { number: number; url: string }, onBranch: string) =>
    `pull request #${pr.number} for ${onBranch} was closed without merging: a person declined it; not reopened`;

  // The PR exists: only read whether a person closed it since (their "no" is recorded once).
  if (!req.dryRun && prior.pr) {
    const pr = prior.pr;
    const live = await openRepository(git, { repo: repoPath, remote: cfg.remote, workDir: resolve(cfg.workDir), fetch: false })
      .then((repo) => githubFor(cfg, repo, token!, deps.log).getPull(pr.number))
      .catch((e: unknown) => deps.log?.(`cannot read #${pr.number}: ${e instanceof Error ? e.message : String(e)}`));
    if (live && live.state === 'closed' && !live.merged) {
      const reason = closedUnmerged(pr, branch);
      await record('remediation.skipped', { code: 'closed_unmerged', reason, pr: { number: pr.number, url: pr.url } }, keys.skipped(d.id, mode, 'closed_unmerged'));
      return result({ status: 'skipped', reason, pr });
    }
    return result({ status: 'exists', pr, reason: `pull request #${pr.number} ${live?.merged ? 'was merged' : 'is already open'} for this deployment` });
  }

  await record('remediation.requested', { attempt, dryRun: false }, keys.requested(d.id, mode, attempt));

  try {
    const repo = await openRepository(git, { repo: repoPath, remote: cfg.remote, workDir: resolve(cfg.workDir), fetch: !req.dryRun });
    const bad = await resolveBad(git, repo.dir, d);
    const range = await findBadRange(git, repo.dir, bad, await prevCandidates(store, d));
    // a commit is a real-world record: real time, even when the commander's clock runs faster (demo)
    const identity = { ...cfg.commitAuthor, at: Date.now() };
    const message = commitMessage(d, mode, range);
    let built: BuiltBranch;
    let checks: string[] | undefined;
    if (mode === 'revert') {
      built = await buildRevertBranch(git, repo.dir, { base: await baseCommit(git, repo, cfg.baseBranch), range, branch, message, identity });
    } else {
      if (!cfg.agent) throw new RemediationError('config', 'mode agent needs remediation.agent.argv (the coding agent to run)');
      const fix = await prepareAgentFix(git, repo.dir, { deployment: d, range, evidence, branch, message, identity, cfg: { ...cfg, agent: cfg.agent }, secrets, log: deps.log });
      built = fix;
      checks = fix.checks;
    }
    const title = prTitle(d, mode);
    const body = prBody({ deployment: d, mode, range, evidence, diffstat: built.diffstat.text, dashboardUrl: deps.dashboardUrl, ...(checks ? { checks } : {}) });
    const described = {
      range: { from: range.from, to: range.to },
      commits: range.commits.map((c) => ({ sha: c.sha, subject: c.subject, merge: c.parents.length > 1 })),
      diffstat: built.diffstat.text,
      title,
      body,
    };
    if (req.dryRun) return result({ status: 'dry_run', ...described });
    await record(
      'remediation.prepared',
      { attempt, branch, base: built.base, head: built.head, range: described.range, commits: described.commits, diffstat: built.diffstat.text, files: built.diffstat.files.length, ...(checks ? { checks } : {}) },
      keys.prepared(d.id, mode, attempt),
    );

    const gh = githubFor(cfg, repo, token!, deps.log);
    const opened = await openPullRequest(git, gh, repo, { d, mode, branch, head: built.head, base: cfg.baseBranch, title, body });
    if ('closed' in opened) {
      const reason = closedUnmerged(opened.closed, branch);
      await record('remediation.skipped', { code: 'closed_unmerged', reason, pr: { number: opened.closed.number, url: opened.closed.url } }, keys.skipped(d.id, mode, 'closed_unmerged'));
      return result({ status: 'skipped', reason, ...described });
    }
    // labelling again is harmless, and mends a crash between creating the PR and labelling it
    await gh.addLabels(opened.pull.number, [...cfg.labels, mode === 'revert' ? 'revert' : 'agent-fix']);
    const pr: RemediationPr = { number: opened.pull.number, url: opened.pull.url, branch, head: opened.pull.headSha, draft: opened.pull.draft, adopted: opened.adopted };
    await record('remediation.pr_opened', { ...pr, merged: opened.pull.merged }, keys.prOpened(d.id, mode));

    let review: PostedReview | undefined;
    try {
      review = await reviewPullRequest(
        {
          git,
          repo,
          gh,
          store,
          clock,
          checks: checkSettings(cfg, secrets),
          requestChanges: cfg.review.event === 'REQUEST_CHANGES',
          ...(cfg.review.llm && deps.llm ? { llm: deps.llm } : {}),
          ...(deps.log ? { log: deps.log } : {}),
        },
        opened.pull,
        d.id,
        deploymentLink(deps.dashboardUrl, d.id),
      );
    } catch (e) {
      // the PR stands; its review can be run again (`review` or the next re-run)
      deps.log?.(`review of #${pr.number} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return result({ status: 'pr_opened', ...described, pr, ...(review ? { review } : {}) });
  } catch (e) {
    const err = e instanceof RemediationError ? e : new RemediationError('github', e instanceof Error ? e.message.split('\n')[0] : String(e));
    if (!(e instanceof RemediationError)) deps.log?.(`remediation of ${d.id}: unexpected ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    const nothingToDo = err.detail.nothingToDo === true;
    if (nothingToDo) await record('remediation.skipped', { code: 'nothing_to_revert', reason: err.message }, keys.skipped(d.id, mode, 'nothing_to_revert'));
    else await record('remediation.failed', { attempt, stage: err.stage, reason: err.message, ...err.detail }, keys.failed(d.id, mode, attempt));
    return result({ status: nothingToDo ? 'skipped' : 'failed', reason: err.message, stage: err.stage });
  }
}

/** `prev` candidates in order: the deploy's payload, the last healthy deploy there, the previousVersion tag. */
async function prevCandidates(store: Store, d: Deployment): Promise<PrevCandidate[]> {
  const out: PrevCandidate[] = [];
  if (d.previousCommit) out.push({ ref: d.previousCommit, source: 'payload' });
  const earlier = await store.listDeployments({ service: d.service, environment: d.environment, before: d.receivedAt, limit: 50 });
  const healthy = earlier.find((x) => x.id !== d.id && x.status === 'healthy' && x.commit);
  if (healthy?.commit) out.push({ ref: healthy.commit, source: 'previous-deployment' });
  if (d.previousVersion) out.push({ ref: `refs/tags/${d.previousVersion}`, source: 'tag' });
  return out;
}

export function githubFor(cfg: ReturnType<typeof remediationFor>, repo: RepoHandle, token: string, log?: (l: string) => void): GithubClient {
  const repository = cfg.repository ?? (repo.remoteUrl ? repositoryFromRemote(repo.remoteUrl) : undefined);
  if (!repository) throw new RemediationError('config', `cannot tell the GitHub repository of ${repo.dir}: set remediation.repository to "owner/name"`);
  return new GithubClient({ repository, token, throttle: cfg.github.throttle, ...(cfg.github.apiUrl ? { apiUrl: cfg.github.apiUrl } : {}), ...(log ? { log } : {}) });
}

export function checkSettings(cfg: ReturnType<typeof remediationFor>, secrets: string[]): CheckSettings {
  return {
    limits: { maxFiles: cfg.limits.maxFiles, maxLines: cfg.limits.maxLines },
    ...(cfg.testCommand ? { testCommand: cfg.testCommand } : {}),
    ...(cfg.lintCommand ? { lintCommand: cfg.lintCommand } : {}),
    timeoutMs: cfg.review.timeoutSeconds * 1000,
    secrets,
    ...(cfg.agent?.passEnv ? { passEnv: cfg.agent.passEnv } : {}),
  };
}

/**
 * Finds the deployment's PR or opens it. Order matters for crash safety: look for a PR first
 * (a crash after creating it), push only when the remote lacks the branch (a crash after
 * pushing), then create, adopting the PR GitHub says already exists.
 */
async function openPullRequest(
  git: Git,
  gh: GithubClient,
  repo: RepoHandle,
  o: { d: Deployment; mode: RemediationMode; branch: string; head: string; base: string; title: string; body: string },
): Promise<{ pull: PullRequest; adopted: boolean } | { closed: PullRequest }> {
  const mine = (p: PullRequest) => parseMarker(p.body)?.deploymentId === o.d.id;
  const existing = (await gh.pullsForBranch(o.branch)).filter(mine);
  const live = existing.find((p) => p.state === 'open' || p.merged);
  if (live) return { pull: live, adopted: true };
  if (existing.length) return { closed: existing[0] };
  const remoteHead = await remoteBranchHead(git, repo, o.branch);
  if (!remoteHead) await pushBranch(git, repo, o.head, o.branch);
  return gh.createPull({ title: o.title, head: o.branch, base: o.base, body: o.body, draft: o.mode === 'agent' });
}
