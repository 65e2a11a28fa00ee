// The opt-in agent fix with a fake agent (test/fixtures/remediation/fake-agent.mjs) on real git:
// only the good fix becomes a draft PR; the judge reads the worktree's diff and refuses tests
// weakened, workflows touched, a token added, 50 files, a failed exit and a hang (killed with
// its process group); no token of the commander ever reaches the agent's environment.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import type { Deployment } from '../../src/core/types.js';
import { systemClock } from '../../src/core/clock.js';
import { remediate } from '../../src/remediation/remediate.js';
import { startFakeGithubApi, type FakeGithubApi } from '../fakes/github-api.js';
import { git, makeRepo, remediationConfig, rolledBackDeployment, type RepoFixture } from './fixture.js';

const AGENT = fileURLToPath(new URL('../fixtures/remediation/fake-agent.mjs', import.meta.url));
const TOKEN = 'ghp_agentTestToken_ZYXWVUTSRQPONMLK987654';
const LLM_KEY = 'sk-commander-llm-key-0123456789';

let repo: RepoFixture;
let gh: FakeGithubApi;
let store: Store;
let dep: Deployment;
const saved: Record<string, string | undefined> = {};

beforeAll(() => {
  // the commander's own secrets are in its environment, as in production
  for (const [k, v] of Object.entries({ GITHUB_TOKEN: TOKEN, COMMANDER_LLM_API_KEY: LLM_KEY })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

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

async function runAgent(variant: string, timeoutSeconds = 60) {
  const out = join(repo.root, `agent-${variant}`);
  const config = remediationConfig({
    repo: repo.work,
    mode: 'agent',
    github: { apiUrl: gh.url, throttle: false },
    testCommand: ['node', 'run-tests.mjs'],
    limits: { maxFiles: 10, maxLines: 200 },
    // even a variable named on purpose is dropped when it holds one of the commander's tokens
    agent: { argv: [process.execPath, AGENT, variant, '{taskFile}', out], timeoutSeconds, passEnv: ['GITHUB_TOKEN', 'COMMANDER_LLM_API_KEY', 'HOME'] },
  });
  const started = Date.now();
  const r = await remediate({ deploymentId: dep.id }, { store, clock: systemClock, config, dashboardUrl: 'http://dash.example', env: process.env });
  return { r, out, ms: Date.now() - started };
}

function assertNoSecretInAgentEnv(out: string): void {
  const dump = readFileSync(join(out, 'env.json'), 'utf8');
  expect(dump).not.toContain(TOKEN);
  expect(dump).not.toContain(LLM_KEY);
  const { env, cwd } = JSON.parse(dump) as { env: Record<string, string>; cwd: string };
  expect(env.GITHUB_TOKEN).toBeUndefined();
  expect(env.HOME).not.toBe(process.env.HOME);
  expect(cwd).not.toBe(repo.work);
}

function assertNothingLeft(): void {
  expect(gh.repo('acme/checkout').pulls).toHaveLength(0);
  expect(git(repo.remote, 'branch', '--list', 'commander/*')).toBe('');
  expect(git(repo.work, 'worktree', 'list').split('\n')).toHaveLength(1);
  expect(git(repo.work, 'status', '--porcelain')).toBe('');
}

describe('agent fix PR', () => {
  it('the good fix becomes a draft PR on commander/fix-<id>, committed by the commander, judged and tested', async () => {
    const { r, out } = await runAgent('good');
    expect(r.status, r.reason).toBe('pr_opened');
    expect(r.branch).toBe(`commander/fix-${dep.id}`);
    const [pull] = gh.repo('acme/checkout').pulls;
    expect(pull.draft).toBe(true);
    expect(pull.labels).toContain('agent-fix');
    expect(pull.body).toContain(`mode=agent`);
    expect(pull.body).toMatch(/`node run-tests\.mjs` passed/);
    const branch = `refs/heads/commander/fix-${dep.id}`;
    expect(git(repo.remote, 'log', '-1', '--format=%an|%s', branch)).toBe('DevOps Commander|fix(checkout): repair the regression of v2');
    expect(git(repo.remote, 'diff', '--name-only', repo.v2, branch).split('\n').sort()).toEqual(['src/price.js', 'test/discount.test.mjs']);
    // the task carried the evidence: findings, log templates with counts, the range's diff
    const task = readFileSync(join(out, 'task.md'), 'utf8');
    expect(task).toContain('Error rate 7.1% vs 0.2% before v2');
    expect(task).toContain('×412');
    expect(task).toContain('TypeError: total is not a number at <*>');
    expect(task).toContain(repo.merge.slice(0, 12));
    expect(task).toMatch(/```diff\n[\s\S]*return sum \* \(1 - discount\);/);
    assertNoSecretInAgentEnv(out);
    // the reviewer looked at it too (tests pass on the head)
    expect(gh.repo('acme/checkout').commitStatuses.at(-1)).toMatchObject({ context: 'devops-commander/review', state: 'success' });
  });

  const refused: Array<[string, string, RegExp]> = [
    ['edits-tests', 'judge', /test or assertion line.* removed or changed in test\/price\.test\.mjs/],
    ['workflow', 'judge', /CI, workflow or lockfiles touched: \.github\/workflows\/ci\.yml/],
    ['token', 'judge', /secret on an added line src\/price\.js:\d+/],
    ['fifty', 'judge', /50 files changed; the limit is 10/],
    ['exit1', 'agent', /the agent exited with 1/],
    ['dump-env', 'judge', /the agent changed nothing/],
  ];
  for (const [variant, stage, reason] of refused) {
    it(`refuses the ${variant} variant with nothing pushed and nothing left behind`, async () => {
      const { r, out } = await runAgent(variant);
      expect(r.status).toBe('failed');
      expect(r.stage).toBe(stage);
      expect(r.reason).toMatch(reason);
      assertNothingLeft();
      assertNoSecretInAgentEnv(out);
      const failed = (await store.events(dep.id)).filter((e) => e.type === 'remediation.failed');
      expect(failed).toHaveLength(1);
      expect(JSON.stringify(failed)).not.toContain(TOKEN);
    });
  }

  it('stops a hanging agent at its timeout, with the process group it started', async () => {
    const { r, out, ms } = await runAgent('hang', 2);
    expect(r.status).toBe('failed');
    expect(r.stage).toBe('agent');
    expect(r.reason).toMatch(/did not finish within 2 s/);
    expect(ms).toBeLessThan(30_000);
    const pid = Number(readFileSync(join(out, 'grandchild.pid'), 'utf8'));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { timeout: 10_000 }).toBe(false);
    assertNothingLeft();
  });

  it('mode agent without a test command or an agent is refused before anything runs', async () => {
    const config = remediationConfig({ repo: repo.work, mode: 'agent', github: { apiUrl: gh.url, throttle: false }, agent: { argv: [process.execPath, AGENT, 'good', '{taskFile}', join(repo.root, 'x')] } });
    const r = await remediate({ deploymentId: dep.id }, { store, clock: systemClock, config, dashboardUrl: 'http://dash.example', env: process.env });
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/needs remediation\.testCommand/);
    expect(existsSync(join(repo.root, 'x'))).toBe(false);
  });
});
