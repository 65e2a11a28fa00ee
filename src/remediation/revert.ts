// The revert builder: on a disposable worktree at the base branch, revert every first-parent
// commit of the bad range, newest first, as ONE commit. A plain `git revert prev..bad` walks
// every commit of merged branches and refuses merge commits; reverting the first-parent chain
// with `-m 1` for merges undoes exactly what the range brought onto the branch.
import { RemediationError } from './errors.js';
import type { Git } from './git.js';
import type { BadRange } from './range.js';
import { addWorktree, diffStat, type DiffStat } from './worktree.js';

export interface CommitIdentity {
  name: string;
  email: string;
  /** epoch ms for author and committer dates (a fixed date keeps a rebuilt commit identical) */
  at: number;
}

export interface BuiltBranch {
  branch: string;
  /** the base commit the branch starts from */
  base: string;
  head: string;
  diffstat: DiffStat;
}

/** Environment that makes `git commit` use the commander's identity and a fixed date. */
export function identityEnv(id: CommitIdentity): Record<string, string> {
  const date = `${Math.floor(id.at / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: id.name,
    GIT_AUTHOR_EMAIL: id.email,
    GIT_COMMITTER_NAME: id.name,
    GIT_COMMITTER_EMAIL: id.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
}

/** Options every commander commit uses: no hooks of the repository, no signing prompt. */
export const COMMIT_ARGS = ['-c', 'commit.gpgsign=false', 'commit', '--no-verify', '--quiet', '-F', '-'];

export async function buildRevertBranch(
  git: Git,
  repo: string,
  opts: { base: string; range: BadRange; branch: string; message: string; identity: CommitIdentity },
): Promise<BuiltBranch> {
  const wt = await addWorktree(git, repo, opts.base, 'commander-revert-');
  try {
    const cwd = wt.dir;
    for (const c of opts.range.commits) {
      const args = ['revert', '--no-commit', '--no-edit', ...(c.parents.length > 1 ? ['-m', '1'] : []), c.sha];
      const r = await git.run(args, { cwd, allowFail: true });
      if (r.code !== 0) {
        const conflicted = (await git.out(['diff', '--name-only', '--diff-filter=U'], { cwd })).split('\n').filter(Boolean);
        throw new RemediationError(
          'revert',
          conflicted.length
            ? `reverting ${c.sha.slice(0, 10)} (${c.subject}) conflicts with the base branch in ${conflicted.join(', ')}: the revert needs a person`
            : `reverting ${c.sha.slice(0, 10)} failed: ${git.clean(r.stderr.trim().split('\n').slice(-2).join(' / '))}`,
          { commit: c.sha, files: conflicted },
        );
      }
    }
    const staged = await git.run(['diff', '--cached', '--quiet'], { cwd, allowFail: true });
    if (staged.code === 0) throw new RemediationError('revert', 'the base branch no longer has these changes: nothing to revert', { nothingToDo: true });
    await git.run(COMMIT_ARGS, { cwd, input: opts.message, env: identityEnv(opts.identity) });
    const head = await git.out(['rev-parse', 'HEAD'], { cwd });
    // The local branch is what a dry run leaves for the person to look at, and what gets pushed.
    await git.run(['branch', '--force', '--quiet', opts.branch, head], { cwd: repo });
    return { branch: opts.branch, base: opts.base, head, diffstat: await diffStat(git, repo, opts.base, head) };
  } finally {
    await wt.remove();
  }
}
