// Writes the commander's verdict back to GitHub as a deployment status
// (POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses, REST API 2022-11-28), so the
// deployment page and the pull request show "rolled back by the commander" and why.
// Only deployments that came from GitHub have a ref; the others are skipped.
import { once, memorySentLog, type DecisionNotice, type Notifier, type NotifyResult, type SentLog } from '../core/notify.js';
import { postJson } from './http.js';

export interface GithubDeploymentRef {
  owner: string;
  repo: string;
  deploymentId: number;
}

export interface GithubStatusOptions {
  /** a token with `deployments: write` (fine-grained) or `repo_deployment` (classic) */
  token: string;
  /** default https://api.github.com (GitHub Enterprise: https://HOST/api/v3) */
  apiUrl?: string;
  /** the GitHub deployment a commander deployment came from (the intake stored it) */
  lookup: (deploymentId: string) => Promise<GithubDeploymentRef | undefined>;
  sentLog?: SentLog;
  attempts?: number;
  backoffMs?: number;
}

export type GithubState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

/** Maps a notice to a deployment status, or undefined when there is nothing to say yet. */
export function githubStatusFor(n: DecisionNotice): { state: GithubState; description: string } | undefined {
  const a = n.decision.action;
  const pct = Math.round(n.decision.confidence * 100);
  let state: GithubState;
  let text: string;
  if (n.stage === 'decision') {
    if (a === 'continue') return undefined; // healthy so far: the outcome says success
    if (n.guard.mode === 'await_approval') [state, text] = ['in_progress', `Commander recommends ${a.replace('_', ' ')} (${pct}%), awaiting approval: `];
    else if (a === 'escalate') [state, text] = ['error', `Commander escalated to a person: `];
    else return undefined; // it will act: the action stage reports
  } else if (n.stage === 'action') {
    if (n.actionResult?.unknown) [state, text] = ['error', `Commander's ${a.replace('_', ' ')} has an unknown outcome, check by hand: `];
    else if (!n.actionResult?.ok) [state, text] = ['error', `Commander's ${a.replace('_', ' ')} failed: `];
    else if (a === 'rollback') [state, text] = ['failure', 'Rolled back by Commander: '];
    else if (a === 'scale_up') [state, text] = ['in_progress', 'Scaled up by Commander: '];
    else return undefined;
  } else {
    const ok = n.outcome?.recovered ?? false;
    if (a === 'continue' || n.outcome?.action === 'continue') [state, text] = ok ? ['success', 'Healthy after the Commander watch: '] : ['failure', 'Unhealthy: '];
    else if (a === 'rollback') [state, text] = ['failure', ok ? 'Rolled back, previous version healthy: ' : 'Rolled back, still unhealthy: '];
    else [state, text] = ok ? ['success', `Recovered after ${a.replace('_', ' ')}: `] : ['failure', `Not recovered after ${a.replace('_', ' ')}: `];
  }
  const full = text + n.summary;
  // GitHub rejects descriptions over 140 characters
  return { state, description: full.length <= 140 ? full : full.slice(0, 139) + '…' };
}

export class GithubStatusNotifier implements Notifier {
  readonly name = 'github';
  private readonly send: (n: DecisionNotice) => Promise<NotifyResult>;
  constructor(private readonly opts: GithubStatusOptions) {
    const api = (opts.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.send = once(this.name, opts.sentLog ?? memorySentLog(), async (n) => {
      const ref = await opts.lookup(n.deployment.id);
      if (!ref) return { channel: this.name, ok: true, detail: 'not a GitHub deployment: no status written' };
      const st = githubStatusFor(n);
      if (!st) return { channel: this.name, ok: true, detail: `nothing to report to GitHub at stage ${n.stage}` };
      const url = `${api}/repos/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.repo)}/deployments/${ref.deploymentId}/statuses`;
      const body = {
        state: st.state,
        description: st.description,
        environment: n.deployment.environment,
        ...(n.links?.detail ? { log_url: n.links.detail } : {}),
      };
      const r = await postJson(url, body, {
        headers: { authorization: `Bearer ${opts.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
        attempts: opts.attempts,
        backoffMs: opts.backoffMs,
      });
      return {
        channel: this.name,
        ok: r.ok,
        detail: r.ok ? `GitHub deployment ${ref.owner}/${ref.repo}#${ref.deploymentId} status ${st.state}` : `GitHub refused the status: ${r.error}`,
      };
    });
  }
  notify(n: DecisionNotice): Promise<NotifyResult> {
    return this.send(n);
  }
}
