// `devops-commander review --repo DIR --base REF --head REF [--json] [--config FILE]
// [--title TEXT]`: the reviewer's findings for base...head, without GitHub. Exit 1 when a
// finding is an error (usable as a CI step), 0 otherwise.
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { loadConfig } from '../../config/load.js';
import { remediationFor } from '../../config/remediation.js';
import { Git } from '../../remediation/git.js';
import { resolveCommit } from '../../remediation/range.js';
import { checkSettings } from '../../remediation/remediate.js';
import { commanderSecrets } from '../../remediation/run-command.js';
import { reviewFindings } from '../../remediation/review-flow.js';
import { hasErrors, RULES } from '../../remediation/review-rules.js';
import { countLine } from '../../remediation/reviewer.js';
import { llmConfigOf } from '../../config/integrations.js';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { values: ['repo', 'base', 'head', 'config', 'title', 'service'], flags: ['json'] });
  const { repo, base, head } = p.values;
  if (!repo || !base || !head) throw new CliError('usage: review --repo DIR --base REF --head REF [--json]');
  const config = loadConfig(p.values.config);
  const cfg = remediationFor(config.remediation, p.values.service ?? '');
  const git = new Git();
  const commit = async (ref: string, what: string) => {
    const sha = await resolveCommit(git, repo, ref).catch(() => undefined);
    if (!sha) throw new CliError(`--${what} ${ref} is not a commit of ${repo}`);
    return sha;
  };
  const [b, h] = [await commit(base, 'base'), await commit(head, 'head')];
  const llm = cfg.review.llm ? llmConfigOf(config.llm) : undefined;
  const findings = await reviewFindings(git, repo, b, h, p.values.title !== undefined ? { title: p.values.title } : {}, checkSettings(cfg, commanderSecrets(process.env, cfg.github.tokenEnv)), llm, (l) => process.stderr.write(`review: ${l}\n`));
  if (p.flags.has('json')) process.stdout.write(JSON.stringify({ base: b, head: h, findings, summary: countLine(findings) }, null, 2) + '\n');
  else {
    const lines = [`review of ${b.slice(0, 12)}...${h.slice(0, 12)}: ${countLine(findings)}`];
    for (const f of findings) lines.push(`${f.severity.padEnd(7)} ${f.ruleId.padEnd(18)} ${f.path ? `${f.path}${f.line ? `:${f.line}` : ''}  ` : ''}${f.message}`);
    if (findings.length) lines.push('', 'rules:', ...[...new Set(findings.map((f) => f.ruleId))].map((id) => `  ${id}: ${RULES[id]}`));
    process.stdout.write(lines.join('\n') + '\n');
  }
  return hasErrors(findings) ? 1 : 0;
}
