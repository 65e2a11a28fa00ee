// The reviewer's deterministic rules: pure, each with a stable id, each finding pointing at a
// file and line where it can. The facts that need git or programs (does the revert restore the
// range's start, did the tests and linter pass, which secrets) are gathered by review-checks.ts
// and passed in, so the same change always gets the same findings.
import type { FileDiff } from './diff.js';
import { isProtectedFile, isTestFile, TEST_DECLARATION, TEST_SKIP } from './file-kinds.js';
import { MARKER_PREFIX, type RemediationMode } from './pr-body.js';
import type { SecretHit } from './secret-scan.js';

export type Severity = 'error' | 'warning' | 'info';

export interface ReviewFinding {
  ruleId: RuleId;
  severity: Severity;
  message: string;
  path?: string;
  line?: number;
}

export const RULES = {
  'revert-tree': 'a revert restores exactly the range start (prev) for the files the range changed, and changes nothing else',
  'diff-size': 'the change stays within remediation.limits (files, lines)',
  'files-in-range': 'a fix touches only files of the bad range, plus tests',
  tests: 'tests were added, or the repository test command passes',
  'tests-weakened': 'no test is deleted, skipped or loses an assertion',
  lint: "the repository's own linter passes on the changed files",
  secrets: 'no secret on an added line',
  'pr-body': 'a commander PR body carries its marker and the link to the deployment timeline',
  'conventional-title': 'the title is a conventional commit: type(scope): subject',
  'protected-files': 'no CI workflow, pipeline or lockfile is edited',
  llm: 'an LLM reviewer remark that quotes the line it is about',
} as const;
export type RuleId = keyof typeof RULES;

export interface CheckOutcome {
  ok: boolean;
  output: string;
}

export interface ReviewFacts {
  files: FileDiff[];
  title?: string;
  body?: string;
  /** set when the change is a commander remediation (from the PR marker or the commit trailers) */
  commander?: { mode: RemediationMode; deploymentId: string; rangeFiles: string[] };
  /** revert PRs: whether head equals the range start on the range's files, and what differs */
  revert?: { matches: boolean; differing: string[] };
  limits: { maxFiles: number; maxLines: number };
  tests?: CheckOutcome;
  lint?: CheckOutcome & { locations: Array<{ path: string; line: number; message: string }> };
  secrets: SecretHit[];
  /** the dashboard link a commander body must carry */
  deploymentLink?: string;
}

const CONVENTIONAL = /^(feat|fix|revert|chore|docs|refactor|perf|test|build|ci|style)(\([A-Za-z0-9_./-]+\))?!?: \S.*$/;

export function reviewRules(f: ReviewFacts): ReviewFinding[] {
  const out: ReviewFinding[] = [];
  const mode = f.commander?.mode;
  const lines = f.files.reduce((s, x) => s + x.added.length + x.removed.length, 0);

  if (mode === 'revert' && f.revert && !f.revert.matches)
    out.push({ ruleId: 'revert-tree', severity: 'error', message: `the branch does not restore the range start: ${f.revert.differing.slice(0, 10).join(', ')} differ${f.revert.differing.length > 10 ? ` (+${f.revert.differing.length - 10} more)` : ''}` });

  if (f.files.length > f.limits.maxFiles || lines > f.limits.maxLines) {
    const msg = `${f.files.length} files and ${lines} changed lines; the limit is ${f.limits.maxFiles} files and ${f.limits.maxLines} lines`;
    // a revert is as large as what it undoes: over the limit it is worth a careful look, not a refusal
    out.push({ ruleId: 'diff-size', severity: mode === 'revert' ? 'warning' : 'error', message: msg });
  }

  if (mode === 'agent' && f.commander) {
    const allowed = new Set(f.commander.rangeFiles);
    for (const x of f.files) if (!allowed.has(x.path) && !isTestFile(x.path)) out.push({ ruleId: 'files-in-range', severity: 'error', message: `${x.path} is neither a file of the bad range nor a test`, path: x.path, ...firstLine(x) });
  }

  for (const x of f.files) {
    if (isProtectedFile(x.path)) out.push({ ruleId: 'protected-files', severity: 'error', message: `${x.path} is a CI workflow, pipeline or lockfile: automated changes must not edit it`, path: x.path, ...firstLine(x) });
  }

  // tests: a revert restores the tests of prev with the code; anything else should bring or pass tests
  if (mode !== 'revert' && f.files.length) {
    const testsAdded = f.files.some((x) => isTestFile(x.path) && x.added.some((a) => TEST_DECLARATION.test(a.content)));
    if (f.tests && !f.tests.ok) out.push({ ruleId: 'tests', severity: 'error', message: `the test command fails: ${lastLines(f.tests.output)}` });
    else if (!testsAdded && !f.tests) out.push({ ruleId: 'tests', severity: 'warning', message: 'no test was added and no test command is configured (remediation.testCommand) to show the change works' });
  } else if (f.tests && !f.tests.ok) out.push({ ruleId: 'tests', severity: 'error', message: `the test command fails on the revert: ${lastLines(f.tests.output)}` });

  if (mode !== 'revert') out.push(...weakenedTests(f.files));

  if (f.lint && !f.lint.ok) {
    const located = f.lint.locations.filter((l) => f.files.some((x) => x.path === l.path));
    if (located.length) for (const l of located.slice(0, 30)) out.push({ ruleId: 'lint', severity: 'warning', message: l.message, path: l.path, line: l.line });
    else out.push({ ruleId: 'lint', severity: 'warning', message: `the linter reports problems: ${lastLines(f.lint.output)}` });
  }

  for (const s of f.secrets) out.push({ ruleId: 'secrets', severity: 'error', message: `possible secret (${s.rule}): ${s.message}`, path: s.path, line: s.line });

  if (f.commander && f.body !== undefined) {
    if (!f.body.includes(MARKER_PREFIX)) out.push({ ruleId: 'pr-body', severity: 'error', message: 'the body lost the commander marker: a re-run could not find this PR again' });
    if (f.deploymentLink && !f.body.includes(f.deploymentLink)) out.push({ ruleId: 'pr-body', severity: 'error', message: `the body does not link the deployment's timeline (${f.deploymentLink})` });
  }

  if (f.title !== undefined && !CONVENTIONAL.test(f.title)) out.push({ ruleId: 'conventional-title', severity: 'warning', message: `"${f.title.slice(0, 80)}" is not a conventional commit title (type(scope): subject)` });
  return out;
}

/** Removed test declarations/assertions and added skips, in test files. */
export function weakenedTests(files: readonly FileDiff[]): ReviewFinding[] {
  const out: ReviewFinding[] = [];
  for (const x of files) {
    if (!isTestFile(x.path)) continue;
    if (x.status === 'deleted') {
      out.push({ ruleId: 'tests-weakened', severity: 'error', message: `the test file ${x.path} is deleted` });
      continue;
    }
    const removed = x.removed.filter((r) => TEST_DECLARATION.test(r.content));
    if (removed.length) out.push({ ruleId: 'tests-weakened', severity: 'error', message: `${removed.length} test or assertion line${removed.length > 1 ? 's' : ''} removed or changed in ${x.path} (e.g. \`${removed[0].content.trim().slice(0, 80)}\`)`, path: x.path, ...firstLine(x) });
    for (const a of x.added.filter((l) => TEST_SKIP.test(l.content))) out.push({ ruleId: 'tests-weakened', severity: 'error', message: 'this line skips or narrows tests', path: x.path, line: a.line });
  }
  return out;
}

function firstLine(x: FileDiff): { line?: number } {
  const l = x.added[0]?.line;
  return l ? { line: l } : {};
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').filter(Boolean).slice(-n).join(' / ').slice(0, 300) || '(no output)';
}

export function hasErrors(findings: readonly ReviewFinding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
