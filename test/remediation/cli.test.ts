// The `remediate` command as a person runs it (a child process): the dry-run JSON on a repository
// made by hand, crash-safety when the process dies between push and PR creation (killed -9),
// and the token kept out of every git argv (a wrapper on PATH records them), .git/config,
// the output and the timeline.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import type { Deployment } from '../../src/core/types.js';
import { startFakeGithubApi, type FakeGithubApi } from '../fakes/github-api.js';
import { git, makeRepo, rolledBackDeployment, type RepoFixture } from './fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'ghp_cliTestToken_abcdefghijklmnop0123456789';

let repo: RepoFixture;
let gh: FakeGithubApi;
let store: Store;
let dep: Deployment;
let config: string;
let argvLog: string;
let binDir: string;

beforeEach(async () => {
  repo = makeRepo();
  gh = await startFakeGithubApi(TOKEN);
  gh.addRepo('acme', 'checkout', repo.remote);
  ({ store, deployment: dep } = await rolledBackDeployment(join(repo.root, 'c.db'), { commit: repo.v2 }));
  await store.close(); // the CLI opens the same SQLite file
  config = join(repo.root, 'commander.yaml');
  writeFileSync(config, ['remediation:', '  repository: acme/checkout', `  github: {apiUrl: "${gh.url}", throttle: false}`, ''].join('\n'));
  // every git the commander runs goes through this wrapper, which records its argv
  binDir = join(repo.root, 'bin');
  argvLog = join(repo.root, 'git-argv.log');
  mkdirSync(binDir);
  const real = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(join(binDir, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${argvLog}"\nprintf 'auth:%s\\n' "\${GIT_CONFIG_KEY_0:-none}" >> "${argvLog}"\nexec ${real} "$@"\n`);
  chmodSync(join(binDir, 'git'), 0o755);
});

afterEach(async () => {
  await gh.close();
  repo.cleanup();
});

function cliArgs(extra: string[]): string[] {
  return ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'remediate', dep.id, '--repo', repo.work, '--db', join(repo.root, 'c.db'), '--config', config, '--dashboard-url', 'http://dash.example', ...extra];
}

const env = () => ({ ...process.env, GITHUB_TOKEN: TOKEN, PATH: `${binDir}:${process.env.PATH}` });

/** Runs the CLI to its end. Asynchronously: the fake GitHub answers from this same process. */
function runCli(extra: string[], args = cliArgs(extra)): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    }),
  );
}

/** Starts the CLI, waits until the fake GitHub holds its PR creation, then kills it with SIGKILL. */
async function crashAtPullCreation(when: 'before' | 'after'): Promise<void> {
  const held = gh.hold('POST', /\/pulls$/, when);
  const child = spawn(process.execPath, cliArgs([]), { cwd: ROOT, env: env(), stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await Promise.race([held, exited.then(() => Promise.reject(new Error('the CLI exited before creating the PR')))]);
  child.kill('SIGKILL');
  await exited;
}

const pullPosts = () => gh.requests.filter((r) => r.method === 'POST' && /\/pulls$/.test(r.path));

describe('devops-commander remediate', () => {
  it('--dry-run --json prints branch, range, commits, diffstat and body; the branch tree equals `from`; nothing is sent', async () => {
    const r = await runCli(['--dry-run', '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { branch: string; range: { from: string; to: string }; commits: Array<{ sha: string }>; diffstat: string; body: string };
    expect(Object.keys(out)).toEqual(['branch', 'range', 'commits', 'diffstat', 'body']);
    expect(out.branch).toBe(`commander/revert-${dep.id}`);
    expect(out.range).toEqual({ from: repo.v1, to: repo.v2 });
    expect(out.commits.map((c) => c.sha)).toEqual([repo.direct, repo.merge]);
    expect(out.diffstat).toMatch(/3 files changed/);
    expect(out.body).toContain('http://dash.example/#/deployments/');
    expect(git(repo.work, 'rev-parse', `${out.branch}^{tree}`)).toBe(git(repo.work, 'rev-parse', `${out.range.from}^{tree}`));
    expect(gh.requests).toHaveLength(0);
    expect(git(repo.remote, 'branch', '--list', 'commander/*')).toBe('');
  });

  it('a crash between push and PR creation still ends with exactly one PR', async () => {
    await crashAtPullCreation('before');
    // the branch was pushed, no PR exists yet
    expect(git(repo.remote, 'branch', '--list', 'commander/*')).toContain(`commander/revert-${dep.id}`);
    expect(gh.repo('acme/checkout').pulls).toHaveLength(0);
    const r = await runCli([]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/opened pull request #1/);
    expect(gh.repo('acme/checkout').pulls).toHaveLength(1);
    expect(git(repo.remote, 'rev-parse', `commander/revert-${dep.id}^{tree}`)).toBe(git(repo.remote, 'rev-parse', 'v1^{tree}'));
    expect((await runCli([])).out).toMatch(/already open/);
    expect(gh.repo('acme/checkout').pulls).toHaveLength(1);
  });

  it('a crash after GitHub created the PR but before the answer adopts that PR', async () => {
    await crashAtPullCreation('after');
    expect(gh.repo('acme/checkout').pulls).toHaveLength(1);
    const r = await runCli(['--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { status: string; pr: { number: number; adopted: boolean } };
    expect(out.status).toBe('pr_opened');
    expect(out.pr).toMatchObject({ number: 1, adopted: true });
    expect(gh.repo('acme/checkout').pulls).toHaveLength(1);
    expect(pullPosts()).toHaveLength(1);
  });

  it('the token is never in a git argv, .git/config, the output or the timeline; git gets it through the environment', async () => {
    const r = await runCli([]);
    expect(r.code, r.err).toBe(0);
    const log = readFileSync(argvLog, 'utf8');
    expect(log).toMatch(/^push /m);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    // every git call carried the header setting in its environment
    expect(log.split('\n').filter((l) => l.startsWith('auth:')).every((l) => l === 'auth:http.extraHeader')).toBe(true);
    expect(readFileSync(join(repo.work, '.git', 'config'), 'utf8')).not.toContain(TOKEN);
    expect(r.out + r.err).not.toContain(TOKEN);
    const { createSqliteStore } = await import('../../src/store/sqlite.js');
    const s = createSqliteStore(join(repo.root, 'c.db'));
    try {
      expect(JSON.stringify(await s.audit({ limit: 10_000 }))).not.toContain(TOKEN);
    } finally {
      await s.close();
    }
  });

  it('bad input gets a one-line error and a non-zero exit', async () => {
    const unknown = await runCli([], ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'remediate', 'depnothere', '--repo', repo.work, '--db', join(repo.root, 'c.db'), '--config', config]);
    expect(unknown.code).toBe(3);
    expect(unknown.err.trim()).toBe('devops-commander: no deployment depnothere');
    const mode = await runCli(['--mode', 'magic']);
    expect(mode.code).toBe(2);
    expect(mode.err.trim().split('\n')).toHaveLength(1);
  });
});
