// The coding agent's task, built from the incident evidence: what broke (findings with their
// statistics, new log templates with counts, failing operations), which commits shipped it, and
// their diff (capped), plus the rules its change will be judged by.
import type { Deployment } from '../core/types.js';
import { statsLine, type IncidentEvidence } from './evidence.js';
import type { BadRange } from './range.js';

export interface TaskInput {
  deployment: Deployment;
  evidence: IncidentEvidence;
  range: BadRange;
  /** `git diff from to`, already capped */
  diff: string;
  diffCut: boolean;
  limits: { maxFiles: number; maxLines: number };
  testCommand?: readonly string[];
}

export function taskFile(t: TaskInput): string {
  const { deployment: d, evidence: ev, range } = t;
  const out = [
    `# Fix the regression deployed as ${d.service} ${d.version}`,
    '',
    `The deploy of ${d.service} ${d.version} to ${d.environment} was rolled back by DevOps Commander because of what is below.`,
    `You are in a checkout of the deployed commit ${range.to}. Change the code so the problem is fixed; keep the intent of the commits.`,
    '',
    '## Rules your change is judged by (the diff of this checkout, not your own report)',
    `- at most ${t.limits.maxFiles} files and ${t.limits.maxLines} changed lines`,
    '- only files the commits below changed, plus tests; add a test that shows the fix',
    '- never edit CI workflows, pipelines or lockfiles; never delete, skip or weaken a test',
    '- no secrets, tokens or keys in the code',
    ...(t.testCommand ? [`- \`${t.testCommand.join(' ')}\` must pass`] : []),
    '- do not commit or push: leave the change in the working tree',
  ];
  if (ev.summary) out.push('', '## Summary', '', ev.summary.text);
  const metric = ev.findings.filter((f) => !['log_new', 'log_spike', 'trace_operation', 'data_gap'].includes(f.kind));
  if (metric.length) {
    out.push('', '## Findings');
    for (const f of metric.slice(0, 8)) out.push(`- ${f.text}${Object.keys(f.stats).length ? ` (${statsLine(f.stats)})` : ''}`);
  }
  const logs = ev.findings.filter((f) => f.kind === 'log_new' || f.kind === 'log_spike');
  if (logs.length) {
    out.push('', '## Log templates new or spiking since the deploy');
    for (const f of logs.slice(0, 10)) {
      out.push(`- ${f.kind === 'log_new' ? 'new' : 'spiking'}${f.stats.count !== undefined ? ` ×${f.stats.count}` : ''}: \`${f.evidence?.template ?? f.subject}\``);
      for (const s of (f.evidence?.samples ?? []).slice(0, 2)) out.push(`  - sample: \`${s.slice(0, 300)}\``);
    }
  }
  const traces = ev.findings.filter((f) => f.kind === 'trace_operation');
  if (traces.length) {
    out.push('', '## Traces');
    for (const f of traces.slice(0, 8)) out.push(`- ${f.text} (${statsLine(f.stats)})`);
  }
  out.push('', `## Commits of the bad range ${range.from.slice(0, 12)}..${range.to.slice(0, 12)}`);
  for (const c of range.commits) out.push(`- ${c.sha.slice(0, 12)} ${c.subject}`);
  out.push('', '## Their diff' + (t.diffCut ? ' (cut to fit)' : ''), '', '```diff', t.diff.trimEnd(), '```', '');
  return out.join('\n');
}
