// Disposable git worktrees: every build, agent run and review works in its own checkout under
// the system's temp directory, so the person's own checkout is never touched and a failure
// leaves nothing behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Git } from './git.js';

export interface Worktree {
  dir: string;
  remove(): Promise<void>;
}

export async function addWorktree(git: Git, repo: string, commit: string, prefix = 'commander-wt-'): Promise<Worktree> {
  const parent = mkdtempSync(join(tmpdir(), prefix));
  const dir = join(parent, 'wt');
  await git.run(['worktree', 'add', '--detach', '--quiet', dir, commit], { cwd: repo });
  let removed = false;
  return {
    dir,
    remove: async () => {
      if (removed) return;
      removed = true;
      await git.run(['worktree', 'remove', '--force', dir], { cwd: repo, allowFail: true });
      rmSync(parent, { recursive: true, force: true });
      await git.run(['worktree', 'prune'], { cwd: repo, allowFail: true });
    },
  };
}

/** Runs `fn` in a fresh worktree at `commit` and removes it afterwards, whatever happens. */
export async function withWorktree<T>(git: Git, repo: string, commit: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const wt = await addWorktree(git, repo, commit);
  try {
    return await fn(wt.dir);
  } finally {
    await wt.remove();
  }
}

/** Diff statistics between two commits: per-file added/deleted lines and a total line. */
export interface DiffStat {
  files: Array<{ path: string; added: number; deleted: number }>;
  added: number;
  deleted: number;
  /** `git diff --stat` text, for people */
  text: string;
}

export async function diffStat(git: Git, cwd: string, from: string, to: string): Promise<DiffStat> {
  const num = await git.out(['diff', '--numstat', '--no-renames', from, to], { cwd });
  const files = num
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [a, d, ...p] = l.split('\t');
      // binary files show '-': they count as one changed line each way
      return { path: p.join('\t'), added: a === '-' ? 1 : Number(a), deleted: d === '-' ? 1 : Number(d) };
    });
  const text = await git.out(['diff', '--stat=100', '--no-renames', from, to], { cwd });
  return { files, added: files.reduce((s, f) => s + f.added, 0), deleted: files.reduce((s, f) => s + f.deleted, 0), text };
}
