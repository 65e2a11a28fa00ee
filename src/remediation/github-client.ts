// The GitHub REST calls remediation and review make (API version 2022-11-28), through Octokit
// with GitHub's recommended throttling (writes spaced out, rate limits waited for) and retries
// of transient failures. The token is given to Octokit only; it never appears in a URL or a
// message we record.
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { RemediationError } from './errors.js';

const CommanderOctokit = Octokit.plugin(retry, throttling);
type Kit = InstanceType<typeof CommanderOctokit>;

export interface GithubClientOptions {
  /** "owner/name" */
  repository: string;
  token: string;
  /** default https://api.github.com (GitHub Enterprise: https://HOST/api/v3) */
  apiUrl?: string;
  /** GitHub's recommended spacing of writes and rate-limit waits; off only against a fake */
  throttle?: boolean;
  /** retries of 5xx / network failures (default 2) */
  retries?: number;
  log?: (line: string) => void;
}

export interface PullRequest {
  number: number;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  headRef: string;
  headSha: string;
  baseRef: string;
  title: string;
  body: string;
}

export interface PullFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string;
}

export interface ReviewComment {
  path: string;
  line: number;
  side: 'RIGHT';
  body: string;
}

export interface IssueComment {
  id: number;
  body: string;
}

type RawPull = {
  number: number;
  html_url: string;
  state: string;
  merged?: boolean | null;
  merged_at?: string | null;
  draft?: boolean;
  head: { ref: string; sha: string };
  base: { ref: string };
  title: string;
  body?: string | null;
};

function pull(p: RawPull): PullRequest {
  return {
    number: p.number,
    url: p.html_url,
    state: p.state === 'closed' ? 'closed' : 'open',
    merged: !!p.merged || !!p.merged_at,
    draft: !!p.draft,
    headRef: p.head.ref,
    headSha: p.head.sha,
    baseRef: p.base.ref,
    title: p.title,
    body: p.body ?? '',
  };
}

export class GithubClient {
  readonly owner: string;
  readonly repo: string;
  private readonly kit: Kit;

  constructor(opts: GithubClientOptions) {
    const [owner, repo] = opts.repository.split('/');
    this.owner = owner;
    this.repo = repo;
    const log = opts.log ?? (() => undefined);
    this.kit = new CommanderOctokit({
      auth: opts.token,
      ...(opts.apiUrl ? { baseUrl: opts.apiUrl.replace(/\/+$/, '') } : {}),
      userAgent: 'devops-commander',
      // retries of 5xx and network failures only (a request-level `retries` would retry 4xx too)
      retry: { retries: opts.retries ?? 2 },
      log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log(`github: ${m}`), error: (m: string) => log(`github: ${m}`) },
      throttle: {
        enabled: opts.throttle ?? true,
        onRateLimit: (after: number, o: { method: string; url: string }, _k: unknown, count: number) => {
          log(`github: rate limit on ${o.method} ${o.url}; ${count < 2 ? `retrying in ${after} s` : 'giving up'}`);
          return count < 2;
        },
        onSecondaryRateLimit: (after: number, o: { method: string; url: string }, _k: unknown, count: number) => {
          log(`github: secondary rate limit on ${o.method} ${o.url}; ${count < 1 ? `retrying in ${after} s` : 'giving up'}`);
          return count < 1;
        },
      },
    });
  }

  get repository(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** Every PR (open, closed or merged) whose head is `branch` of this repository, newest first. */
  async pullsForBranch(branch: string): Promise<PullRequest[]> {
    const r = await this.call('list pull requests', () =>
      this.kit.rest.pulls.list({ owner: this.owner, repo: this.repo, head: `${this.owner}:${branch}`, state: 'all', per_page: 100 }),
    );
    return (r.data as RawPull[]).map(pull).sort((a, b) => b.number - a.number);
  }

  async getPull(number: number): Promise<PullRequest> {
    const r = await this.call('read the pull request', () => this.kit.rest.pulls.get({ owner: this.owner, repo: this.repo, pull_number: number }));
    return pull(r.data as RawPull);
  }

  /**
   * Opens a PR. GitHub answers 422 "A pull request already exists" when one is open for the
   * same head: that PR is adopted (`adopted: true`) instead of failing.
   */
  async createPull(p: { title: string; head: string; base: string; body: string; draft: boolean }): Promise<{ pull: PullRequest; adopted: boolean }> {
    try {
      const r = await this.kit.rest.pulls.create({ owner: this.owner, repo: this.repo, ...p, maintainer_can_modify: false });
      return { pull: pull(r.data as RawPull), adopted: false };
    } catch (e) {
      if (status(e) === 422 && /already exists/i.test(errorText(e))) {
        const open = (await this.pullsForBranch(p.head)).find((x) => x.state === 'open');
        if (open) return { pull: open, adopted: true };
      }
      throw this.fail('open the pull request', e);
    }
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    if (!labels.length) return;
    await this.call('label the pull request', () => this.kit.rest.issues.addLabels({ owner: this.owner, repo: this.repo, issue_number: number, labels }));
  }

  async pullFiles(number: number): Promise<PullFile[]> {
    const r = await this.call('list the changed files', () => this.kit.paginate(this.kit.rest.pulls.listFiles, { owner: this.owner, repo: this.repo, pull_number: number, per_page: 100 }));
    return r.map((f) => ({ filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, ...(f.patch ? { patch: f.patch } : {}) }));
  }

  async reviews(number: number): Promise<Array<{ id: number; commitId: string; body: string; state: string }>> {
    const r = await this.call('list reviews', () => this.kit.paginate(this.kit.rest.pulls.listReviews, { owner: this.owner, repo: this.repo, pull_number: number, per_page: 100 }));
    return r.map((x) => ({ id: x.id, commitId: x.commit_id ?? '', body: x.body ?? '', state: x.state }));
  }

  async createReview(number: number, r: { commitId: string; body: string; event: 'COMMENT' | 'REQUEST_CHANGES'; comments: ReviewComment[] }): Promise<{ id: number }> {
    const res = await this.call('post the review', () =>
      this.kit.rest.pulls.createReview({ owner: this.owner, repo: this.repo, pull_number: number, commit_id: r.commitId, body: r.body, event: r.event, comments: r.comments }),
    );
    return { id: res.data.id };
  }

  async issueComments(number: number): Promise<IssueComment[]> {
    const r = await this.call('list comments', () => this.kit.paginate(this.kit.rest.issues.listComments, { owner: this.owner, repo: this.repo, issue_number: number, per_page: 100 }));
    return r.map((c) => ({ id: c.id, body: c.body ?? '' }));
  }

  async createIssueComment(number: number, body: string): Promise<IssueComment> {
    const r = await this.call('comment', () => this.kit.rest.issues.createComment({ owner: this.owner, repo: this.repo, issue_number: number, body }));
    return { id: r.data.id, body: r.data.body ?? '' };
  }

  async updateIssueComment(id: number, body: string): Promise<void> {
    await this.call('update the comment', () => this.kit.rest.issues.updateComment({ owner: this.owner, repo: this.repo, comment_id: id, body }));
  }

  async createStatus(sha: string, s: { state: 'success' | 'failure' | 'error' | 'pending'; context: string; description: string; targetUrl?: string }): Promise<void> {
    await this.call('set the commit status', () =>
      this.kit.rest.repos.createCommitStatus({
        owner: this.owner,
        repo: this.repo,
        sha,
        state: s.state,
        context: s.context,
        description: s.description.slice(0, 140),
        ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
      }),
    );
  }

  /** The statuses of a commit, newest first. */
  async statuses(sha: string): Promise<Array<{ context: string; state: string; description: string }>> {
    const r = await this.call('read the commit statuses', () => this.kit.rest.repos.listCommitStatusesForRef({ owner: this.owner, repo: this.repo, ref: sha, per_page: 100 }));
    return r.data.map((x) => ({ context: x.context, state: x.state, description: x.description ?? '' }));
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.fail(what, e);
    }
  }

  private fail(what: string, e: unknown): RemediationError {
    const code = status(e);
    const hint = code === 401 ? ' (check the token in remediation.github.tokenEnv)' : code === 404 ? ` (does ${this.repository} exist and can the token see it?)` : '';
    return new RemediationError('github', `GitHub: cannot ${what}: ${code ? `HTTP ${code} ` : ''}${errorText(e)}${hint}`, { status: code });
  }
}

function status(e: unknown): number | undefined {
  const s = (e as { status?: unknown }).status;
  return typeof s === 'number' ? s : undefined;
}

/** GitHub's message plus its `errors[].message`s (where "A pull request already exists" lives). */
function errorText(e: unknown): string {
  const data = (e as { response?: { data?: { message?: string; errors?: Array<{ message?: string } | string> } } }).response?.data;
  const parts = [data?.message, ...(data?.errors ?? []).map((x) => (typeof x === 'string' ? x : x.message))].filter((x): x is string => !!x);
  return parts.length ? parts.join(': ') : (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** "owner/name" from a GitHub remote URL (https or ssh), if it is one. */
export function repositoryFromRemote(url: string): string | undefined {
  const m = /github\.com[:/]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(url.trim());
  return m ? `${m[1]}/${m[2]}` : undefined;
}
