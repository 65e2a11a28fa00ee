// The revert PR on real git against the fake GitHub: the pushed branch restores v1, one PR with
// marker, link and every reverted sha, idempotent re-runs, a person's "no" respected, a conflict
// failing cleanly, and a dry run that sends nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import type { Deployment } from '../../src/core/types.js';
import { systemClock } from '../../src/core/clock.js';
import { remediate, RemediationRefused, type RemediationDeps } from '../../src/remediation/remediate.js';
import { startFakeGithubApi, type FakeGithubApi } from '../fakes/github-api.js';
import { git, makeRepo, remediationConfig, rolledBackDeployment, write, type RepoFixture } from './fixture.js';

const TOKEN = 'ghp_remediationTestToken0123456789abcdef';
const DASH = 'http://commander.example:8080';

let repo: RepoFixture;
let gh: FakeGithubApi;
let store: Store;
let dep: Deployment;

function deps(over: Partial<RemediationDeps> = {}): RemediationDeps {
  return {
    store,
    clock: systemClock,
    config: remediationConfig({ repo: repo.work, github: { apiUrl: gh.url, throttle: false } }),
    dashboardUrl: DASH,
    env: { GITHUB_TOKEN: TOKEN },
    ...over,
  };
}

const posts = (path: RegExp) => gh.requests.filter((r) => r.method === 'POST' && path.test(r.path));

beforeEach(async () => {
  repo = makeRepo();
  gh = await startFakeGithubApi(TOKEN);
  gh.addRepo('acme', 'checkout', repo.remote);
  ({ store, deployment: dep } = await rolledBackDeployment(join(repo.root, 'c.db'), { commit: repo.v2 }));
});

afterEach(async () => {
  await store.close();
  await gh.close();
  repo.cleanup();
});

describe('revert pull request', () => {
  it('pushes a branch whose tree is v1 and opens exactly one labelled PR with marker, link and every reverted sha', async () => {
    const r = await remediate({ deploymentId: dep.id }, deps());
    expect(r.status, r.reason).toBe('pr_opened');
    const branch = `commander/revert-${dep.id}`;
    expect(r.branch).toBe(branch);
    expect(git(repo.remote, 'rev-parse', `refs/heads/${branch}^{tree}`)).toBe(git(repo.remote, 'rev-parse', 'v1^{tree}'));
    // one commit on top of main, titled and with trailers
    expect(git(repo.remote, 'rev-list', '--count', `main..${branch}`)).toBe('1');
    const msg = git(repo.remote, 'log', '-1', '--format=%B', branch);
    expect(msg.split('\n')[0]).toBe('revert(checkout): roll back v2 to v1');
    expect(msg).toContain(`Commander-Deployment: ${dep.id}`);
    expect(msg).toContain(`Commander-Range: ${repo.v1}..${repo.v2}`);

    expect(posts(/\/pulls$/)).toHaveLength(1);
    const [pull] = gh.repo('acme/checkout').pulls;
    expect(pull.body).toContain(`<!-- devops-commander:remediation deployment=${dep.id} mode=revert -->`);
    expect(pull.body).toContain(`${DASH}/#/deployments/${dep.id}`);
    // first-parent commits of v1..v2: the direct commit and the merge
    for (const sha of [repo.direct, repo.merge]) expect(pull.body).toContain(sha);
    expect(r.commits!.map((c) => c.sha)).toEqual([repo.direct, repo.merge]);
    expect(pull.body).toContain('Review required; never merged automatically');
    expect(pull.body).toContain('Error rate 7.1% vs 0.2% before v2');
    expect(pull.draft).toBe(false);
    expect(pull.labels).toEqual(expect.arrayContaining(['devops-commander', 'remediation', 'revert']));

    // reviewed: one review at the head, a sticky comment, the status
    const fake = gh.repo('acme/checkout');
    expect(fake.reviews).toHaveLength(1);
    expect(fake.reviews[0].event).toBe('COMMENT');
    expect(fake.reviews[0].commit_id).toBe(git(repo.remote, 'rev-parse', branch));
    expect(fake.comments).toHaveLength(1);
    expect(fake.commitStatuses.map((s) => [s.context, s.state])).toEqual([['devops-commander/review', 'success']]);

    const types = (await store.events(dep.id)).map((e) => e.type).filter((t) => t.startsWith('remediation.') || t === 'review.completed');
    expect(types).toEqual(['remediation.requested', 'remediation.prepared', 'remediation.pr_opened', 'review.completed']);
    // the token travelled in headers only: never in the timeline, the repository's config or the PR
    const timeline = JSON.stringify(await store.events(dep.id));
    expect(timeline).not.toContain(TOKEN);
    expect(readFileSync(join(repo.work, '.git', 'config'), 'utf8')).not.toContain(TOKEN);
    expect(gh.requests.every((q) => q.headers.authorization === `token ${TOKEN}`)).toBe(true);
    expect(gh.requests.every((q) => !q.path.includes(TOKEN) && !q.query.includes(TOKEN))).toBe(true);
  });

  it('a re-run adds nothing: no write, no push, no event (it only reads whether the PR was closed)', async () => {
    expect((await remediate({ deploymentId: dep.id }, deps())).status).toBe('pr_opened');
    const requests = gh.requests.length;
    const events = (await store.events(dep.id)).length;
    const head = git(repo.remote, 'rev-parse', `commander/revert-${dep.id}`);
    const again = await remediate({ deploymentId: dep.id }, deps());
    expect(again.status).toBe('exists');
    expect(again.pr!.number).toBe(1);
    expect(gh.requests.slice(requests).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /repos/acme/checkout/pulls/1']);
    expect((await store.events(dep.id)).length).toBe(events);
    expect(git(repo.remote, 'rev-parse', `commander/revert-${dep.id}`)).toBe(head);
  });

  it('finds the PR again through GitHub when the timeline lost it, and reviews it once per head', async () => {
    expect((await remediate({ deploymentId: dep.id }, deps())).status).toBe('pr_opened');
    // a second commander with an empty timeline for this deployment (e.g. another store)
    const other = await rolledBackDeployment(join(repo.root, 'other.db'), { commit: repo.v2 });
    try {
      // same branch name needs the same id: point the fake's PR at the other deployment's branch instead
      const fake = gh.repo('acme/checkout');
      git(repo.remote, 'branch', `commander/revert-${other.deployment.id}`, `commander/revert-${dep.id}`);
      fake.pulls[0].head = `commander/revert-${other.deployment.id}`;
      fake.pulls[0].body = fake.pulls[0].body.replace(`deployment=${dep.id}`, `deployment=${other.deployment.id}`);
      const before = posts(/\/pulls$/).length;
      const r = await remediate({ deploymentId: other.deployment.id }, { ...deps(), store: other.store });
      expect(r.status).toBe('pr_opened');
      expect(r.pr).toMatchObject({ number: 1, adopted: true });
      expect(posts(/\/pulls$/).length).toBe(before);
      // the head was reviewed already (GitHub remembers): no second review, the sticky comment stays one
      expect(fake.reviews).toHaveLength(1);
      expect(fake.comments).toHaveLength(1);
    } finally {
      await other.store.close();
    }
  });

  it('a PR closed without merging is recorded as a person saying no, and never reopened', async () => {
    expect((await remediate({ deploymentId: dep.id }, deps())).status).toBe('pr_opened');
    const fake = gh.repo('acme/checkout');
    fake.pulls[0].state = 'closed';
    const r = await remediate({ deploymentId: dep.id }, deps());
    expect(r.status).toBe('skipped');
    expect(r.reason).toMatch(/closed without merging/);
    expect(posts(/\/pulls$/)).toHaveLength(1);
    expect(fake.pulls.filter((p) => p.state === 'open')).toHaveLength(0);
    expect(gh.requests.filter((q) => q.method === 'PATCH')).toHaveLength(0);
    const skipped = (await store.events(dep.id)).filter((e) => e.type === 'remediation.skipped');
    expect(skipped.map((e) => e.payload.code)).toEqual(['closed_unmerged']);
    // and again: nothing new, not even a read
    const n = gh.requests.length;
    expect((await remediate({ deploymentId: dep.id }, deps())).status).toBe('skipped');
    expect(gh.requests.length).toBe(n);

    // a commander whose timeline never saw the PR finds it closed on GitHub and records the same
    const fresh = await rolledBackDeployment(join(repo.root, 'fresh.db'), { commit: repo.v2 });
    try {
      git(repo.remote, 'branch', `commander/revert-${fresh.deployment.id}`, `commander/revert-${dep.id}`);
      fake.pulls[0].head = `commander/revert-${fresh.deployment.id}`;
      fake.pulls[0].body = fake.pulls[0].body.replace(`deployment=${dep.id}`, `deployment=${fresh.deployment.id}`);
      const other = await remediate({ deploymentId: fresh.deployment.id }, { ...deps(), store: fresh.store });
      expect(other.status).toBe('skipped');
      expect(posts(/\/pulls$/)).toHaveLength(1);
    } finally {
      await fresh.store.close();
    }
  });

  it('adopts the PR GitHub says already exists (422) instead of failing', async () => {
    // the branch and an open PR exist, but neither the timeline nor the listing by head finds it
    // (e.g. GitHub's search lagging): creating answers 422 "already exists" and that PR is adopted
    const r1 = await remediate({ deploymentId: dep.id, dryRun: true }, deps());
    git(repo.work, 'push', '--quiet', 'origin', `${r1.branch}:refs/heads/${r1.branch}`);
    const fake = gh.repo('acme/checkout');
    fake.pulls.push({ number: 1, title: 'x', body: 'made by hand, no marker', head: r1.branch, base: 'main', state: 'open', merged: false, draft: false, labels: [], created_at: new Date().toISOString() });
    const r = await remediate({ deploymentId: dep.id }, deps());
    expect(r.status, r.reason).toBe('pr_opened');
    expect(r.pr).toMatchObject({ number: 1, adopted: true });
    expect(fake.pulls).toHaveLength(1);
    const create = posts(/\/pulls$/);
    expect(create).toHaveLength(1);
  });

  it('a conflict fails the remediation with a clean worktree and nothing pushed', async () => {
    // main moved on after the deploy: the same line the direct commit changed was changed again
    write(repo.work, { 'src/format.js': "export function money(n) {\n  return '$' + n.toFixed(1);\n}\n" });
    git(repo.work, 'commit', '--quiet', '-am', 'format: currency sign');
    git(repo.work, 'push', '--quiet', 'origin', 'main');
    const r = await remediate({ deploymentId: dep.id }, deps());
    expect(r.status).toBe('failed');
    expect(r.stage).toBe('revert');
    expect(r.reason).toMatch(/conflicts .* src\/format\.js/);
    const failed = (await store.events(dep.id)).filter((e) => e.type === 'remediation.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].payload).toMatchObject({ stage: 'revert', files: ['src/format.js'] });
    // nothing pushed, nothing sent, the person's checkout untouched, no worktree left behind
    expect(git(repo.remote, 'branch', '--list', 'commander/*')).toBe('');
    expect(gh.requests).toHaveLength(0);
    expect(git(repo.work, 'status', '--porcelain')).toBe('');
    expect(git(repo.work, 'worktree', 'list').split('\n')).toHaveLength(1);
    expect(git(repo.work, 'branch', '--list', 'commander/*')).toBe('');
    expect(existsSync(join(repo.work, '.git', 'REVERT_HEAD'))).toBe(false);
    // a second attempt is a new attempt (its own events), and fails the same way
    const again = await remediate({ deploymentId: dep.id }, deps());
    expect(again.status).toBe('failed');
    expect((await store.events(dep.id)).filter((e) => e.type === 'remediation.failed')).toHaveLength(2);
  });

  it('--dry-run builds the branch locally and sends, pushes and records nothing', async () => {
    const events = (await store.events(dep.id)).length;
    const r = await remediate({ deploymentId: dep.id, dryRun: true }, deps({ env: {} }));
    expect(r.status).toBe('dry_run');
    expect(r.range).toEqual({ from: repo.v1, to: repo.v2 });
    expect(git(repo.work, 'rev-parse', `${r.branch}^{tree}`)).toBe(git(repo.work, 'rev-parse', 'v1^{tree}'));
    expect(r.diffstat).toMatch(/src\/price\.js/);
    expect(r.body).toContain(repo.merge);
    expect(gh.requests).toHaveLength(0);
    expect(git(repo.remote, 'branch', '--list', 'commander/*')).toBe('');
    expect((await store.events(dep.id)).length).toBe(events);
  });

  it('takes prev from the payload first, then the last healthy deploy, then the previousVersion tag; and requires it to be an ancestor', async () => {
    const p = await rolledBackDeployment(join(repo.root, 'p.db'), { commit: repo.v2, previousCommit: repo.merge, previousVersion: 'v1' });
    try {
      const r = await remediate({ deploymentId: p.deployment.id, dryRun: true }, { ...deps(), store: p.store });
      expect(r.range).toEqual({ from: repo.merge, to: repo.v2 });
      expect(r.commits!.map((c) => c.sha)).toEqual([repo.direct]);
    } finally {
      await p.store.close();
    }
    // a "previous" commit on another line of history is refused, not guessed around
    git(repo.work, 'checkout', '--quiet', '--orphan', 'elsewhere');
    git(repo.work, 'commit', '--quiet', '--allow-empty', '-m', 'unrelated');
    const unrelated = git(repo.work, 'rev-parse', 'HEAD');
    git(repo.work, 'checkout', '--quiet', 'main');
    const q = await rolledBackDeployment(join(repo.root, 'q.db'), { commit: repo.v2, previousCommit: unrelated });
    try {
      const r = await remediate({ deploymentId: q.deployment.id, dryRun: true }, { ...deps(), store: q.store });
      expect(r.status).toBe('failed');
      expect(r.stage).toBe('range');
      expect(r.reason).toMatch(/not an ancestor/);
    } finally {
      await q.store.close();
    }
  });

  it('refuses deployments that were not rolled back, and a missing token, before recording anything', async () => {
    const w = await rolledBackDeployment(join(repo.root, 'w.db'), { commit: repo.v2 });
    await w.store.close();
    await expect(remediate({ deploymentId: 'depnope' }, deps())).rejects.toThrow(RemediationRefused);
    await expect(remediate({ deploymentId: dep.id }, deps({ env: {} }))).rejects.toThrow(/GITHUB_TOKEN is not set/);
    expect((await store.events(dep.id)).some((e) => e.type.startsWith('remediation.'))).toBe(false);
  });
});
