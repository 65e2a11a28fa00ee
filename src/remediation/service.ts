// Remediation inside the running service: one run per deployment at a time (a second request
// while one runs is refused), runs in the background with their outcome on the timeline, the
// automatic revert PR after a verified rollback (`remediation.auto`), previews, the state for the
// API and the dashboard, and reviews of other PRs from `pull_request` webhooks.
import { resolve } from 'node:path';
import type { TimelineEvent } from '../core/timeline.js';
import { remediationFor } from '../config/remediation.js';
import { incidentEvidence } from './evidence.js';
import { gitWithToken } from './git.js';
import type { PullRequest } from './github-client.js';
import { parseMarker, deploymentLink, type RemediationMode } from './pr-body.js';
import { checkSettings, githubFor, remediate, RemediationRefused, type RemediationDeps, type RemediationResult } from './remediate.js';
import { openRepository } from './repo.js';
import { reviewPullRequest } from './review-flow.js';
import type { PostedReview } from './reviewer.js';
import { commanderSecrets } from './run-command.js';
import { latestMode, remediationState, type RemediationState } from './state.js';

export interface RemediationView extends RemediationState {
  deploymentId: string;
  running: boolean;
  /** a repository is configured for this deployment's service */
  configured: boolean;
  auto: boolean;
  rolledBack: boolean;
  rollbackVerified: boolean;
}

export class RemediationService {
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: RemediationDeps) {}

  isRunning(deploymentId: string): boolean {
    return this.running.has(deploymentId);
  }

  async view(deploymentId: string): Promise<RemediationView | undefined> {
    const d = await this.deps.store.getDeployment(deploymentId);
    if (!d) return undefined;
    const events = await this.deps.store.events(deploymentId);
    const cfg = remediationFor(this.deps.config, d.service);
    const ev = incidentEvidence(events);
    return {
      deploymentId,
      ...remediationState(events, latestMode(events, cfg.mode)),
      running: this.isRunning(deploymentId),
      configured: !!cfg.repo,
      auto: cfg.auto,
      rolledBack: ev.rolledBack,
      rollbackVerified: ev.rollbackVerified,
    };
  }

  /** Starts a run in the background; false when one is already running for this deployment. */
  start(deploymentId: string, opts: { mode?: RemediationMode; actor: string }): boolean {
    if (this.running.has(deploymentId)) return false;
    const run = remediate({ deploymentId, ...opts }, this.deps)
      .then((r) => this.deps.log?.(`remediation ${deploymentId}: ${r.status}${r.pr ? ` #${r.pr.number}` : ''}${r.reason ? ` (${r.reason})` : ''}`))
      .catch((e: unknown) => this.deps.log?.(`remediation ${deploymentId}: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => this.running.delete(deploymentId));
    this.running.set(deploymentId, run);
    return true;
  }

  /** The dry run, under the same one-at-a-time rule. */
  async preview(deploymentId: string, mode?: RemediationMode): Promise<RemediationResult | 'running'> {
    if (this.running.has(deploymentId)) return 'running';
    const run = remediate({ deploymentId, ...(mode ? { mode } : {}), dryRun: true }, this.deps);
    this.running.set(deploymentId, run);
    try {
      return await run;
    } finally {
      this.running.delete(deploymentId);
    }
  }

  /** `remediation.auto`: a verified rollback opens its PR. Fed every appended timeline event. */
  onEvent(e: TimelineEvent): void {
    if (!this.deps.config.auto || e.type !== 'outcome.verified' || !e.deploymentId) return;
    const o = e.payload.outcome as { action?: string; recovered?: boolean } | undefined;
    if (o?.action !== 'rollback' || o.recovered !== true) return;
    const id = e.deploymentId;
    void this.deps.store.getDeployment(id).then((d) => {
      if (d && remediationFor(this.deps.config, d.service).repo) this.start(id, { actor: 'system' });
    });
  }

  /**
   * Reviews one pull request of a configured repository (a `pull_request` webhook). Commander
   * PRs are reviewed onto their deployment's timeline. Undefined when the repository is not one
   * remediation knows.
   */
  async reviewWebhookPull(repository: string, number: number): Promise<PostedReview | undefined> {
    const cfg = this.deps.config;
    const service = Object.entries(cfg.services).find(([, s]) => s.repository === repository)?.[0];
    const c = remediationFor(cfg, service ?? '');
    if (!c.repo || (c.repository ?? '') !== repository) return undefined;
    const env = this.deps.env ?? process.env;
    const token = env[c.github.tokenEnv]?.trim();
    if (!token) throw new RemediationRefused(`${c.github.tokenEnv} is not set`, 400);
    const git = gitWithToken(token, this.deps.gitBinary);
    const repo = await openRepository(git, { repo: c.repo, remote: c.remote, workDir: resolve(c.workDir), fetch: true });
    const gh = githubFor(c, repo, token, this.deps.log);
    const pr: PullRequest = await gh.getPull(number);
    const dep = parseMarker(pr.body)?.deploymentId;
    const known = dep ? await this.deps.store.getDeployment(dep) : undefined;
    const secrets = commanderSecrets(env, c.github.tokenEnv);
    return reviewPullRequest(
      { git, repo, gh, store: this.deps.store, clock: this.deps.clock, checks: checkSettings(c, secrets), requestChanges: c.review.event === 'REQUEST_CHANGES', ...(c.review.llm && this.deps.llm ? { llm: this.deps.llm } : {}), ...(this.deps.log ? { log: this.deps.log } : {}) },
      pr,
      known ? known.id : null,
      known ? deploymentLink(this.deps.dashboardUrl, known.id) : undefined,
    );
  }
}
