// Gathers the facts the review rules judge, from real git and the repository's own programs:
// the diff base...head, whether it is a commander remediation (PR marker or commit trailers),
// whether a revert restores the range start, the test command and the linter run in a
// disposable worktree at head, and the secret scan of added lines.
import type { FileDiff } from './diff.js';
import { diffBetween } from './diff.js';
import type { Git } from './git.js';
import { deploymentLink, parseMarker, parseTrailers } from './pr-body.js';
import type { ReviewFacts } from './review-rules.js';
import { fillArgv, runCommand } from './run-command.js';
import { scanAddedLines } from './secret-scan.js';
import { withWorktree } from './worktree.js';

export interface CheckSettings {
  limits: { maxFiles: number; maxLines: number };
  testCommand?: readonly string[];
  lintCommand?: readonly string[];
  timeoutMs: number;
  /** values no program may see and no added line may contain */
  secrets: readonly string[];
  /** variables the repository's programs may see */
  passEnv?: readonly string[];
  dashboardUrl?: string;
}

export interface ChangeInfo {
  title?: string;
  body?: string;
}

export async function gatherFacts(git: Git, repo: string, base: string, head: string, change: ChangeInfo, s: CheckSettings): Promise<ReviewFacts & { diffText: string }> {
  const { text, files } = await diffBetween(git, repo, base, head);
  const message = await git.out(['log', '-1', '--format=%B', head], { cwd: repo });
  const trailers = parseTrailers(message);
  const fromBody = parseMarker(change.body);
  const mode = fromBody?.mode ?? trailers.mode;
  const deploymentId = fromBody?.deploymentId ?? trailers.deploymentId;
  const facts: ReviewFacts & { diffText: string } = {
    diffText: text,
    files,
    limits: s.limits,
    secrets: await scanAddedLines(files, s.secrets),
    ...(change.title !== undefined ? { title: change.title } : {}),
    ...(change.body !== undefined ? { body: change.body } : {}),
  };
  if (mode && deploymentId && trailers.from && trailers.to) {
    const rangeFiles = (await git.out(['diff', '--name-only', '--no-renames', trailers.from, trailers.to], { cwd: repo })).split('\n').filter(Boolean);
    facts.commander = { mode, deploymentId, rangeFiles };
    if (s.dashboardUrl) facts.deploymentLink = deploymentLink(s.dashboardUrl, deploymentId);
    if (mode === 'revert') facts.revert = await revertCheck(git, repo, trailers.from, head, rangeFiles, files);
  }
  if (s.testCommand || s.lintCommand) {
    await withWorktree(git, repo, head, async (dir) => {
      const run = (argv: readonly string[]) => runCommand(argv, { cwd: dir, timeoutMs: s.timeoutMs, secrets: s.secrets, ...(s.passEnv ? { passEnv: s.passEnv } : {}) });
      if (s.testCommand) {
        const r = await run(fillArgv(s.testCommand, { worktree: dir }));
        facts.tests = { ok: r.code === 0 && !r.timedOut, output: r.timedOut ? `timed out after ${Math.round(s.timeoutMs / 1000)} s\n${r.output}` : r.output };
      }
      const present = files.filter((f) => f.status !== 'deleted').map((f) => f.path);
      if (s.lintCommand && present.length) {
        const r = await run([...fillArgv(s.lintCommand, { worktree: dir }), ...present]);
        facts.lint = { ok: r.code === 0 && !r.timedOut, output: r.output, locations: lintLocations(r.output, present, dir) };
      }
    });
  }
  return facts;
}

/**
 * A revert restores the range start when, for every file the range changed, head has prev's
 * content, and it changes no file outside the range. (Its whole tree equals prev only when the
 * base branch has not moved since the deploy.)
 */
async function revertCheck(git: Git, repo: string, from: string, head: string, rangeFiles: string[], files: FileDiff[]): Promise<{ matches: boolean; differing: string[] }> {
  const differing = rangeFiles.length
    ? (await git.out(['--literal-pathspecs', 'diff', '--name-only', '--no-renames', from, head, '--', ...rangeFiles], { cwd: repo })).split('\n').filter(Boolean)
    : [];
  const inRange = new Set(rangeFiles);
  for (const f of files) if (!inRange.has(f.path)) differing.push(f.path);
  return { matches: differing.length === 0, differing };
}

/**
 * File:line locations in a linter's output: `path:line[:col]: message` (most linters, compact
 * formats) and ESLint's default "stylish" (a file header, then `  line:col  severity  message`).
 */
export function lintLocations(output: string, files: readonly string[], root: string): Array<{ path: string; line: number; message: string }> {
  const known = new Set(files);
  const rel = (p: string) => (p.startsWith(root + '/') ? p.slice(root.length + 1) : p.replace(/^\.\//, ''));
  const out: Array<{ path: string; line: number; message: string }> = [];
  let current: string | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    const compact = /^(\S+?):(\d+)(?::\d+)?:?\s+(.*)$/.exec(line.trim());
    if (compact && known.has(rel(compact[1]))) {
      out.push({ path: rel(compact[1]), line: Number(compact[2]), message: compact[3].trim() });
      continue;
    }
    if (known.has(rel(line.trim()))) {
      current = rel(line.trim());
      continue;
    }
    const stylish = /^\s+(\d+):\d+\s+(error|warning)\s+(.*)$/.exec(line);
    if (stylish && current) out.push({ path: current, line: Number(stylish[1]), message: `${stylish[2]}: ${stylish[3].trim()}` });
  }
  return out;
}
