// The service's repository as remediation sees it: a local clone (given by path) or a clone
// of a URL kept under workDir, its remote, and the base branch's current commit.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RemediationError } from './errors.js';
import { assertRefName, GitError, type Git } from './git.js';

export interface RepoHandle {
  dir: string;
  remote: string;
  remoteUrl?: string;
}

const URL_RE = /^(https?:\/\/|ssh:\/\/|git@[^:]+:|file:\/\/)/;

/** Opens (or clones) the repository. `fetch`: bring the remote's branches and tags up to date. */
export async function openRepository(git: Git, opts: { repo: string; remote: string; workDir: string; fetch: boolean }): Promise<RepoHandle> {
  assertRefName(opts.remote, 'remote');
  let dir: string;
  if (URL_RE.test(opts.repo)) {
    const name = opts.repo.replace(/\.git\/?$/, '').split(/[/:]/).filter(Boolean).slice(-2).join('-').replace(/[^A-Za-z0-9._-]/g, '_');
    dir = resolve(opts.workDir, name);
    if (!existsSync(join(dir, '.git'))) {
      mkdirSync(resolve(opts.workDir), { recursive: true });
      await git.run(['clone', '--quiet', '--origin', opts.remote, '--no-checkout', '--', opts.repo, dir], { cwd: resolve(opts.workDir), timeoutMs: 600_000 }).catch((e: unknown) => {
        throw new RemediationError('config', `cannot clone the repository: ${e instanceof Error ? e.message : String(e)}`);
      });
    }
  } else {
    dir = resolve(opts.repo);
    if (!existsSync(dir)) throw new RemediationError('config', `repository ${dir} does not exist`);
  }
  const top = await git.run(['rev-parse', '--git-dir'], { cwd: dir, allowFail: true });
  if (top.code !== 0) throw new RemediationError('config', `${dir} is not a git repository`);
  const url = await git.run(['remote', 'get-url', opts.remote], { cwd: dir, allowFail: true });
  const remoteUrl = url.code === 0 ? url.stdout.trim() : undefined;
  if (opts.fetch && remoteUrl) {
    await git.run(['fetch', '--quiet', '--tags', '--prune', opts.remote], { cwd: dir, timeoutMs: 600_000 }).catch((e: unknown) => {
      throw new RemediationError('push', `cannot fetch from ${opts.remote}: ${e instanceof GitError ? e.message : String(e)}`);
    });
  }
  return { dir, remote: opts.remote, ...(remoteUrl ? { remoteUrl } : {}) };
}

/** The base branch's commit: the remote's copy when there is one, else the local branch. */
export async function baseCommit(git: Git, repo: RepoHandle, branch: string): Promise<string> {
  assertRefName(branch, 'base branch');
  for (const ref of [`refs/remotes/${repo.remote}/${branch}`, `refs/heads/${branch}`]) {
    const r = await git.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: repo.dir, allowFail: true });
    if (r.code === 0) return r.stdout.trim();
  }
  throw new RemediationError('config', `the base branch ${branch} is not in the repository (set remediation.baseBranch)`);
}

/** The commit the remote's branch points at, or undefined when the remote has no such branch. */
export async function remoteBranchHead(git: Git, repo: RepoHandle, branch: string): Promise<string | undefined> {
  const r = await git.run(['ls-remote', '--heads', repo.remote, `refs/heads/${branch}`], { cwd: repo.dir, timeoutMs: 120_000 });
  const line = r.stdout.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
  return line?.split('\t')[0];
}

/** Pushes a new branch; never forces over one that exists (a person may have added to it). */
export async function pushBranch(git: Git, repo: RepoHandle, head: string, branch: string): Promise<void> {
  await git.run(['push', '--quiet', '--porcelain', repo.remote, `${head}:refs/heads/${branch}`], { cwd: repo.dir, timeoutMs: 600_000 }).catch((e: unknown) => {
    throw new RemediationError('push', `cannot push ${branch}: ${e instanceof Error ? e.message : String(e)}`);
  });
}
