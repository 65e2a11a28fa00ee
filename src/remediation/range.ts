// Finding the bad range `prev..bad` of a deployment in its repository: the commits the rollback
// took out of the cluster but that are still on the branch.
import { RemediationError } from './errors.js';
import { assertRefName, GitError, type Git } from './git.js';

export interface RangeCommit {
  sha: string;
  parents: string[];
  subject: string;
}

export interface BadRange {
  /** the last good commit (prev) */
  from: string;
  /** the deployed commit (bad) */
  to: string;
  /** where `from` came from */
  fromSource: 'payload' | 'previous-deployment' | 'tag';
  /** first-parent commits of from..to, newest first */
  commits: RangeCommit[];
  /** files the range changed */
  files: string[];
}

/** One way of naming `prev`, in the order they are tried. */
export interface PrevCandidate {
  ref: string;
  source: BadRange['fromSource'];
}

/** The full sha of a commit-ish, or undefined when the repository does not have it. */
export async function resolveCommit(git: Git, cwd: string, ref: string): Promise<string | undefined> {
  assertRefName(ref, 'revision');
  const r = await git.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd, allowFail: true });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** `bad`: the deployed commit, else the tag named by the version. */
export async function resolveBad(git: Git, cwd: string, d: { commit?: string; version: string }): Promise<string> {
  if (d.commit) {
    const sha = await resolveCommit(git, cwd, d.commit);
    if (!sha) throw new RemediationError('range', `the deployed commit ${d.commit} is not in the repository (fetch it, or check remediation.repo)`);
    return sha;
  }
  const sha = await resolveCommit(git, cwd, `refs/tags/${d.version}`);
  if (!sha) throw new RemediationError('range', `the deployment names no commit and there is no tag ${d.version}`);
  return sha;
}

export async function findBadRange(git: Git, cwd: string, bad: string, candidates: readonly PrevCandidate[]): Promise<BadRange> {
  let prev: { sha: string; source: BadRange['fromSource'] } | undefined;
  for (const c of candidates) {
    const sha = await resolveCommit(git, cwd, c.ref).catch((e: unknown) => {
      if (e instanceof GitError) return undefined;
      throw e;
    });
    if (sha) {
      prev = { sha, source: c.source };
      break;
    }
  }
  if (!prev) throw new RemediationError('range', `cannot tell the last good commit: ${candidates.length ? `none of ${candidates.map((c) => c.ref).join(', ')} is in the repository` : 'no previous commit, healthy deployment or previousVersion tag'}`);
  if (prev.sha === bad) throw new RemediationError('range', `the previous commit is the deployed one (${bad.slice(0, 10)}): nothing to revert`);
  // A range whose start is not behind its end would revert commits that were never deployed.
  const anc = await git.run(['merge-base', '--is-ancestor', prev.sha, bad], { cwd, allowFail: true });
  if (anc.code !== 0) throw new RemediationError('range', `${prev.sha.slice(0, 10)} (${prev.source}) is not an ancestor of the deployed ${bad.slice(0, 10)}: refusing to guess the range`);
  const log = await git.out(['log', '--first-parent', '--format=%H%x00%P%x00%s', `${prev.sha}..${bad}`], { cwd });
  const commits = log
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha, parents, subject] = line.split('\0');
      return { sha, parents: parents.split(' ').filter(Boolean), subject };
    });
  const files = (await git.out(['diff', '--name-only', '--no-renames', prev.sha, bad], { cwd })).split('\n').filter(Boolean);
  return { from: prev.sha, to: bad, fromSource: prev.source, commits, files };
}
