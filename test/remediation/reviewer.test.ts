// The reviewer against the fake GitHub (which rejects a whole review with 422 when one inline
// comment is off the diff's hunks) on real git: inline comments only on hunk lines, one review
// per head commit, one sticky summary comment updated in place, the commit status, COMMENT by
// default and never APPROVE; the LLM reviewer's remarks kept only when they quote the cited line.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { Store } from '../../src/core/store.js';
import { parseUnifiedDiff } from '../../src/remediation/diff.js';
import { Git } from '../../src/remediation/git.js';
import { GithubClient, type PullRequest } from '../../src/remediation/github-client.js';
import { checkedRemarks, llmReview } from '../../src/remediation/llm-review.js';
import { lintLocations } from '../../src/remediation/review-checks.js';
import { reviewPullRequest, type ReviewFlowDeps } from '../../src/remediation/review-flow.js';
import { postReview } from '../../src/remediation/reviewer.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { startFakeGithubApi, type FakeGithubApi } from '../fakes/github-api.js';
import { git, makeRepo, write, type RepoFixture } from './fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'ghp_reviewerTestToken_0123456789abcdefgh';

let repo: RepoFixture;
let gh: FakeGithubApi;
let client: GithubClient;
let store: Store;

beforeEach(async () => {
  repo = makeRepo();
  gh = await startFakeGithubApi(TOKEN);
  gh.addRepo('acme', 'checkout', repo.remote);
  client = new GithubClient({ repository: 'acme/checkout', token: TOKEN, apiUrl: gh.url, throttle: false });
  store = createSqliteStore(join(repo.root, 'c.db'));
});

afterEach(async () => {
  await store.close();
  await gh.close();
  repo.cleanup();
});

/** A person's PR: a skipped test, a secret, an edited workflow, and a non-conventional title. */
async function personPr(): Promise<PullRequest> {
  git(repo.work, 'checkout', '--quiet', '-b', 'feature/tax', 'main');
  write(repo.work, {
    'src/price.js': 'export function total(items, discount = 0.1) {\n  let sum = 0;\n  for (const i of items) sum += i.price * i.qty * (1 - discount);\n  const key = "ghp_R8xk2LqP0vN7sT4wY1zB6cD3fG9hJ5mQ2aE8";\n  return sum * (1 - discount);\n}\n',
    'test/price.test.mjs': "import assert from 'node:assert';\nimport { total } from '../src/price.js';\nassert.strictEqual(total([{ price: 2, qty: 3 }]), 6);\nassert.strictEqual(total([]), 0);\nit.skip('taxes', () => {});\n",
  });
  git(repo.work, 'commit', '--quiet', '-am', 'tax it');
  git(repo.work, 'push', '--quiet', 'origin', 'feature/tax');
  git(repo.work, 'checkout', '--quiet', 'main');
  return (await client.createPull({ title: 'Tax stuff', head: 'feature/tax', base: 'main', body: 'please review', draft: false })).pull;
}

function flowDeps(over: Partial<ReviewFlowDeps> = {}): ReviewFlowDeps {
  return {
    git: new Git(),
    repo: { dir: repo.work, remote: 'origin' },
    gh: client,
    store,
    clock: systemClock,
    checks: { limits: { maxFiles: 10, maxLines: 400 }, timeoutMs: 30_000, secrets: [TOKEN] },
    requestChanges: false,
    ...over,
  };
}

describe('reviewer', () => {
  it('posts inline comments only on hunk lines; the rest goes to the body (GitHub would reject the review otherwise)', async () => {
    const pr = await personPr();
    const r = await postReview({
      gh: client,
      store,
      clock: systemClock,
      pr,
      deploymentId: null,
      requestChanges: false,
      findings: [
        { ruleId: 'secrets', severity: 'error', message: 'on an added line', path: 'src/price.js', line: 4 },
        { ruleId: 'lint', severity: 'warning', message: 'a context line inside the hunk', path: 'src/price.js', line: 3 },
        { ruleId: 'lint', severity: 'warning', message: 'far from any hunk', path: 'src/price.js', line: 60 },
        { ruleId: 'lint', severity: 'warning', message: 'a file the PR does not touch', path: 'src/format.js', line: 2 },
        { ruleId: 'conventional-title', severity: 'warning', message: 'no line at all' },
      ],
    });
    expect(r.posted).toBe(true);
    const [review] = gh.repo('acme/checkout').reviews;
    expect(review.comments.map((c) => [c.path, c.line])).toEqual([
      ['src/price.js', 4],
      ['src/price.js', 3],
    ]);
    expect(review.body).toContain('far from any hunk');
    expect(review.body).toContain('a file the PR does not touch');
    expect(review.event).toBe('COMMENT');
    // the fake really enforces the rule: an off-hunk comment sent directly is refused whole
    await expect(client.createReview(pr.number, { commitId: pr.headSha, body: 'x', event: 'COMMENT', comments: [{ path: 'src/price.js', line: 60, side: 'RIGHT', body: 'x' }] })).rejects.toThrow(/must be part of the diff/);
  });

  it('reviews a PR once per head commit, keeps one sticky summary updated in place, and sets the status', async () => {
    const pr = await personPr();
    const first = await reviewPullRequest(flowDeps(), pr, null);
    expect(first.posted).toBe(true);
    const ids = first.findings.map((f) => f.ruleId);
    expect(ids).toEqual(expect.arrayContaining(['secrets', 'tests-weakened', 'conventional-title', 'tests']));
    expect(first.conclusion).toBe('failure');
    const fake = gh.repo('acme/checkout');
    expect(fake.reviews).toHaveLength(1);
    // every inline comment is on a line GitHub shows
    expect(fake.reviews[0].comments.length).toBeGreaterThan(0);
    expect(fake.commitStatuses).toEqual([expect.objectContaining({ sha: pr.headSha, context: 'devops-commander/review', state: 'failure' })]);

    // same head again: nothing new posted
    const again = await reviewPullRequest(flowDeps(), await client.getPull(pr.number), null);
    expect(again.posted).toBe(false);
    expect(fake.reviews).toHaveLength(1);
    expect(fake.comments).toHaveLength(1);

    // a new push: a new review, the same sticky comment edited
    git(repo.work, 'checkout', '--quiet', 'feature/tax');
    write(repo.work, { 'src/price.js': 'export function total(items, discount = 0.1) {\n  let sum = 0;\n  for (const i of items) sum += i.price * i.qty * (1 - discount);\n  return sum;\n}\n' });
    git(repo.work, 'commit', '--quiet', '-am', 'drop the key');
    git(repo.work, 'push', '--quiet', 'origin', 'feature/tax');
    git(repo.work, 'checkout', '--quiet', 'main');
    const next = await client.getPull(pr.number);
    expect(next.headSha).not.toBe(pr.headSha);
    const third = await reviewPullRequest(flowDeps(), next, null);
    expect(third.posted).toBe(true);
    expect(third.findings.some((f) => f.ruleId === 'secrets')).toBe(false);
    expect(fake.reviews).toHaveLength(2);
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0].edits).toBe(1);
    expect(fake.commitStatuses.map((s) => s.sha)).toEqual([pr.headSha, next.headSha]);
  });

  it('requests changes only when configured and there are errors; never approves', async () => {
    const pr = await personPr();
    const r = await reviewPullRequest(flowDeps({ requestChanges: true }), pr, null);
    expect(r.event).toBe('REQUEST_CHANGES');
    const events = gh.requests.filter((q) => /\/reviews$/.test(q.path) && q.method === 'POST').map((q) => (q.body as { event: string }).event);
    expect(events).toEqual(['REQUEST_CHANGES']);
    expect(events).not.toContain('APPROVE');
  });

  it('the LLM reviewer keeps a remark only when it cites a hunk line and quotes text on it; a timeout keeps the rules', async () => {
    const diff = git(repo.work, 'diff', 'v1', 'v2');
    const files = parseUnifiedDiff(diff);
    const price = files.find((f) => f.path === 'src/price.js')!;
    const [line, text] = [...price.commentable].find(([, t]) => t.includes('return sum'))!;
    const remarks = [
      { path: 'src/price.js', line, quote: 'return sum * (1 - discount)', message: 'the discount is applied twice' },
      { path: 'src/price.js', line, quote: 'discount = 0.1', message: 'quote not on the cited line' },
      { path: 'src/price.js', line: 400, quote: 'return', message: 'line outside the hunks' },
      { path: 'src/nowhere.js', line: 1, quote: 'x', message: 'no such file' },
    ];
    expect(text).toContain('return sum * (1 - discount)');
    const checked = checkedRemarks(remarks, files);
    expect(checked.findings).toEqual([{ ruleId: 'llm', severity: 'info', message: 'the discount is applied twice', path: 'src/price.js', line }]);
    expect(checked.dropped).toBe(3);

    // through a real OpenAI-compatible endpoint
    let delay = 0;
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ choices: [{ message: { content: 'Here:\n' + JSON.stringify(remarks) } }] }));
        }, delay),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const ok = await llmReview(files, { url, model: 'm', timeoutMs: 5000 });
      expect(ok.findings.map((f) => f.message)).toEqual(['the discount is applied twice']);
      delay = 2000;
      const slow = await llmReview(files, { url, model: 'm', timeoutMs: 200 });
      expect(slow).toMatchObject({ findings: [], error: 'timeout' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('reads file:line locations from linters (compact and ESLint stylish)', () => {
    const out = ['/w/src/a.js:3:5: Missing semicolon', 'src/b.js:10 unused x', '/w/src/c.js', '  7:1  error  no-undef  y is not defined', 'other.js:1:1: not ours'].join('\n');
    expect(lintLocations(out, ['src/a.js', 'src/b.js', 'src/c.js'], '/w')).toEqual([
      { path: 'src/a.js', line: 3, message: 'Missing semicolon' },
      { path: 'src/b.js', line: 10, message: 'unused x' },
      { path: 'src/c.js', line: 7, message: 'error: no-undef  y is not defined' },
    ]);
  });
});

describe('devops-commander review', () => {
  const cli = (args: string[]): Promise<{ code: number | null; out: string; err: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'review', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('close', (code) => resolve({ code, out, err }));
    });

  it('prints the findings of base...head without GitHub; exit 1 on errors', async () => {
    git(repo.work, 'checkout', '--quiet', '-b', 'wf', 'main');
    write(repo.work, { '.github/workflows/ci.yml': 'on: push\n' });
    git(repo.work, 'commit', '--quiet', '-am', 'ci: trim');
    const r = await cli(['--repo', repo.work, '--base', 'main', '--head', 'wf', '--json']);
    expect(r.code, r.err).toBe(1);
    const out = JSON.parse(r.out) as { findings: Array<{ ruleId: string; path?: string }> };
    expect(out.findings.map((f) => f.ruleId)).toContain('protected-files');
    const clean = await cli(['--repo', repo.work, '--base', 'v1', '--head', 'v1']);
    expect(clean.code, clean.err).toBe(0);
    expect(clean.out).toMatch(/no problems found/);
    const bad = await cli(['--repo', repo.work, '--base', 'nope', '--head', 'v1']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe(`devops-commander: --base nope is not a commit of ${repo.work}`);
  });
});
