// The judge of an agent's change: it reads the worktree's diff, never the agent's own report.
// Accepted only within the size limits, inside the bad range's files plus tests, without
// touching CI/workflow/lockfiles, without deleting, skipping or weakening a test, and without
// a secret on an added line. (The repository's test command is run by agent-fix.ts after this.)
import type { FileDiff } from './diff.js';
import { isProtectedFile, isTestFile } from './file-kinds.js';
import { weakenedTests } from './review-rules.js';
import type { SecretHit } from './secret-scan.js';

export interface JudgeLimits {
  maxFiles: number;
  maxLines: number;
}

/** Every reason to refuse the change (empty = acceptable so far). */
export function judgeChange(files: readonly FileDiff[], rangeFiles: readonly string[], limits: JudgeLimits, secrets: readonly SecretHit[]): string[] {
  const problems: string[] = [];
  if (files.length === 0) return ['the agent changed nothing'];
  const lines = files.reduce((s, f) => s + f.added.length + f.removed.length, 0);
  if (files.length > limits.maxFiles) problems.push(`${files.length} files changed; the limit is ${limits.maxFiles}`);
  if (lines > limits.maxLines) problems.push(`${lines} lines changed; the limit is ${limits.maxLines}`);
  const allowed = new Set(rangeFiles);
  const outside = files.filter((f) => !allowed.has(f.path) && !isTestFile(f.path)).map((f) => f.path);
  if (outside.length) problems.push(`files outside the bad range and its tests: ${list(outside)}`);
  const protectedFiles = files.filter((f) => isProtectedFile(f.path)).map((f) => f.path);
  if (protectedFiles.length) problems.push(`CI, workflow or lockfiles touched: ${list(protectedFiles)}`);
  for (const w of weakenedTests(files)) problems.push(w.path && w.line ? `${w.path}:${w.line}: ${w.message}` : w.message);
  for (const s of secrets) problems.push(`secret on an added line ${s.path}:${s.line} (${s.rule})`);
  return problems;
}

function list(paths: string[]): string {
  return paths.slice(0, 8).join(', ') + (paths.length > 8 ? ` (+${paths.length - 8} more)` : '');
}
