// The opt-in agent fix: a configured coding agent (argv template, no shell) runs in a
// disposable worktree at the bad commit with a task file built from the evidence, a scrubbed
// environment and a timeout that kills its process group. Its change is judged from the
// worktree's diff (judge.ts), the repository's test command must pass, and only then does the
// commander, never the agent, commit it onto `commander/fix-<id>`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from '../core/types.js';
import type { RemediationConfig } from '../config/remediation.js';
import { parseUnifiedDiff } from './diff.js';
import { RemediationError } from './errors.js';
import type { IncidentEvidence } from './evidence.js';
import type { Git } from './git.js';
import { judgeChange } from './judge.js';
import type { BadRange } from './range.js';
import { COMMIT_ARGS, identityEnv, type BuiltBranch, type CommitIdentity } from './revert.js';
import { fillArgv, runCommand } from './run-command.js';
import { scanAddedLines } from './secret-scan.js';
import { taskFile } from './task-file.js';
import { addWorktree, diffStat } from './worktree.js';

export interface AgentFixInput {
  deployment: Deployment;
  range: BadRange;
  evidence: IncidentEvidence;
  branch: string;
  message: string;
  identity: CommitIdentity;
  cfg: RemediationConfig & { agent: NonNullable<RemediationConfig['agent']> };
  /** the commander's tokens: never in the agent's environment, never on an added line */
  secrets: string[];
  log?: (line: string) => void;
}

export async function prepareAgentFix(git: Git, repo: string, o: AgentFixInput): Promise<BuiltBranch & { checks: string[] }> {
  const { cfg, range } = o;
  if (!cfg.testCommand) throw new RemediationError('config', 'mode agent needs remediation.testCommand: an agent change is accepted only when the tests pass');
  const wt = await addWorktree(git, repo, range.to, 'commander-agent-');
  const taskDir = mkdtempSync(join(tmpdir(), 'commander-task-'));
  try {
    const full = await git.out(['diff', '--no-color', '--no-ext-diff', range.from, range.to], { cwd: repo });
    const cap = cfg.limits.taskDiffBytes;
    const path = join(taskDir, 'task.md');
    writeFileSync(path, taskFile({ deployment: o.deployment, evidence: o.evidence, range, diff: full.slice(0, cap), diffCut: full.length > cap, limits: cfg.limits, testCommand: cfg.testCommand }));
    const argv = fillArgv(cfg.agent.argv, { taskFile: path, worktree: wt.dir, service: o.deployment.service, deploymentId: o.deployment.id });
    const timeoutMs = cfg.agent.timeoutSeconds * 1000;
    o.log?.(`agent: running ${argv[0]} for ${o.deployment.id} (timeout ${cfg.agent.timeoutSeconds} s)`);
    const run = await runCommand(argv, { cwd: wt.dir, timeoutMs, passEnv: cfg.agent.passEnv, secrets: o.secrets });
    const tail = run.output.split('\n').slice(-5).join('\n');
    if (run.timedOut) throw new RemediationError('agent', `the agent did not finish within ${cfg.agent.timeoutSeconds} s and was stopped with its process group`, { output: tail });
    if (run.code !== 0) throw new RemediationError('agent', `the agent exited with ${run.code ?? run.signal}: its change is not used`, { output: tail });

    // The judged change is what is in the worktree now, whatever the agent says it did.
    await git.run(['add', '--all'], { cwd: wt.dir });
    const diffText = await git.out(['diff', '--cached', '--no-color', '--no-ext-diff', '--no-renames', range.to], { cwd: wt.dir });
    const files = parseUnifiedDiff(diffText);
    const problems = judgeChange(files, range.files, cfg.limits, await scanAddedLines(files, o.secrets));
    if (problems.length) throw new RemediationError('judge', `the agent's change was refused: ${problems.join('; ')}`, { problems });

    const tests = await runCommand(fillArgv(cfg.testCommand, { worktree: wt.dir }), { cwd: wt.dir, timeoutMs: cfg.testTimeoutSeconds * 1000, passEnv: cfg.agent.passEnv, secrets: o.secrets });
    if (tests.code !== 0 || tests.timedOut)
      throw new RemediationError('judge', `the test command fails with the agent's change${tests.timedOut ? ' (timed out)' : ''}: ${tests.output.split('\n').slice(-3).join(' / ')}`, { output: tests.output.split('\n').slice(-10).join('\n') });

    // only what was judged is committed (anything the tests wrote stays unstaged)
    await git.run(COMMIT_ARGS, { cwd: wt.dir, input: o.message, env: identityEnv(o.identity) });
    const head = await git.out(['rev-parse', 'HEAD'], { cwd: wt.dir });
    await git.run(['branch', '--force', '--quiet', o.branch, head], { cwd: repo });
    const lines = files.reduce((s, f) => s + f.added.length + f.removed.length, 0);
    const checks = [
      `the agent (\`${argv[0]}\`) exited 0 in ${Math.round(run.durationMs / 1000)} s with a scrubbed environment`,
      `${files.length} file${files.length === 1 ? '' : 's'}, ${lines} changed lines (limits ${cfg.limits.maxFiles} / ${cfg.limits.maxLines})`,
      'only files of the bad range and tests; no workflow, pipeline or lockfile; no test deleted, skipped or weakened',
      'secret scan of added lines clean',
      `\`${cfg.testCommand.join(' ')}\` passed in ${Math.round(tests.durationMs / 1000)} s`,
    ];
    return { branch: o.branch, base: range.to, head, diffstat: await diffStat(git, repo, range.to, head), checks };
  } finally {
    rmSync(taskDir, { recursive: true, force: true });
    await wt.remove();
  }
}
