// Title, commit message and pull-request body of a remediation. The body carries a hidden
// marker (how a re-run finds its PR again, and how the reviewer knows a commander PR), the link
// to the deployment's timeline, the evidence, and the rule that a person merges it.
import type { Deployment } from '../core/types.js';
import { statsLine, type IncidentEvidence } from './evidence.js';
import type { BadRange } from './range.js';

export type RemediationMode = 'revert' | 'agent';

export const MARKER_PREFIX = '<!-- devops-commander:remediation';

export function marker(deploymentId: string, mode: RemediationMode): string {
  return `${MARKER_PREFIX} deployment=${deploymentId} mode=${mode} -->`;
}

/** The deployment id and mode a body's marker names, if it has one. */
export function parseMarker(body: string | null | undefined): { deploymentId: string; mode: RemediationMode } | undefined {
  const m = /<!-- devops-commander:remediation deployment=([A-Za-z0-9_-]{1,80}) mode=(revert|agent) -->/.exec(body ?? '');
  return m ? { deploymentId: m[1], mode: m[2] as RemediationMode } : undefined;
}

export function branchName(deploymentId: string, mode: RemediationMode): string {
  return `commander/${mode === 'revert' ? 'revert' : 'fix'}-${deploymentId}`;
}

export function deploymentLink(dashboardUrl: string, deploymentId: string): string {
  return `${dashboardUrl.replace(/\/+$/, '')}/#/deployments/${deploymentId}`;
}

export function prTitle(d: Deployment, mode: RemediationMode): string {
  const prev = d.previousVersion ?? 'the previous version';
  return mode === 'revert' ? `revert(${d.service}): roll back ${d.version} to ${prev}` : `fix(${d.service}): repair the regression of ${d.version}`;
}

/** Commit message: the title, what it undoes, and trailers naming the deployment and the range. */
export function commitMessage(d: Deployment, mode: RemediationMode, range: BadRange): string {
  const lines = [prTitle(d, mode), ''];
  if (mode === 'revert') {
    lines.push(`Reverts the first-parent commits of ${range.from.slice(0, 12)}..${range.to.slice(0, 12)}, rolled back in ${d.environment}:`);
    for (const c of range.commits) lines.push(`- ${c.sha.slice(0, 12)} ${c.subject}`);
  } else {
    lines.push(`Fixes the regression deployed as ${d.version} (${range.from.slice(0, 12)}..${range.to.slice(0, 12)}), rolled back in ${d.environment}.`);
  }
  lines.push('', `Commander-Deployment: ${d.id}`, `Commander-Range: ${range.from}..${range.to}`, `Commander-Mode: ${mode}`);
  return lines.join('\n') + '\n';
}

/** Reads the trailers commitMessage wrote (the reviewer uses them outside GitHub). */
export function parseTrailers(message: string): { deploymentId?: string; from?: string; to?: string; mode?: RemediationMode } {
  const dep = /^Commander-Deployment: (\S+)$/m.exec(message)?.[1];
  const range = /^Commander-Range: ([0-9a-f]{7,64})\.\.([0-9a-f]{7,64})$/m.exec(message);
  const mode = /^Commander-Mode: (revert|agent)$/m.exec(message)?.[1] as RemediationMode | undefined;
  return { ...(dep ? { deploymentId: dep } : {}), ...(range ? { from: range[1], to: range[2] } : {}), ...(mode ? { mode } : {}) };
}

export interface BodyInput {
  deployment: Deployment;
  mode: RemediationMode;
  range: BadRange;
  evidence: IncidentEvidence;
  diffstat: string;
  dashboardUrl: string;
  /** agent mode: what the judge checked */
  checks?: string[];
}

const TOP_FINDINGS = 5;
const MAX_BODY = 60_000; // GitHub refuses bodies over 65,536 characters

export function prBody(b: BodyInput): string {
  const { deployment: d, evidence: ev, range } = b;
  const link = deploymentLink(b.dashboardUrl, d.id);
  const out: string[] = [marker(d.id, b.mode), ''];
  out.push(
    b.mode === 'revert'
      ? `The commander rolled back **${d.service} ${d.version}** in ${d.environment}. This reverts the code the rollback took out of the cluster, so the next deploy does not ship it again.`
      : `The commander rolled back **${d.service} ${d.version}** in ${d.environment}. A coding agent proposed this fix; the commander checked the change itself (below) before opening this draft.`,
  );
  out.push('', `**Deployment:** [${d.id}](${link}) (timeline, evidence, audit trail)`);
  if (ev.summary) out.push('', '### Summary', '', ev.summary.text);
  const top = ev.findings.filter((f) => f.kind !== 'data_gap').slice(0, TOP_FINDINGS);
  if (top.length) {
    out.push('', '### Top findings', '');
    for (const f of top) out.push(`- ${f.text}${Object.keys(f.stats).length ? ` — ${statsLine(f.stats)}` : ''}`);
  }
  out.push('', '### Decision, action, outcome', '');
  if (ev.decision) out.push(`- Decision: **${ev.decision.decision.action}** at ${Math.round(ev.decision.decision.confidence * 100)}% confidence (policy ${ev.decision.decision.policyVersion})${ev.decision.decision.reasons.length ? `: ${ev.decision.decision.reasons.slice(0, 3).join('; ')}` : ''}`);
  if (ev.action) out.push(`- Action: ${ev.action.action} ${ev.action.status} via ${ev.action.actuator}${ev.action.detail ? ` (${ev.action.detail})` : ''}`);
  out.push(`- Outcome: ${ev.outcome ? `${ev.outcome.recovered ? 'recovered' : 'not recovered'} after ${ev.outcome.action}${ev.outcome.detail ? ` — ${ev.outcome.detail}` : ''}` : 'not verified yet'}`);
  out.push('', `### ${b.mode === 'revert' ? 'Reverted commits' : 'Commits of the bad range'}`, '', `Range \`${range.from}..${range.to}\` (first parent, newest first):`, '');
  for (const c of range.commits) out.push(`- ${c.sha} ${c.parents.length > 1 ? '(merge) ' : ''}${escapeMd(c.subject)}`);
  if (b.checks?.length) {
    out.push('', '### Checks the commander ran on the change', '');
    for (const c of b.checks) out.push(`- ${c}`);
  }
  out.push('', '### Diff', '', '```', b.diffstat.trim(), '```');
  out.push('', '---', '**Review required; never merged automatically.** The commander opened this pull request and will not merge it.');
  let body = out.join('\n');
  if (body.length > MAX_BODY) body = body.slice(0, MAX_BODY) + '\n…(cut)\n\n**Review required; never merged automatically.**';
  return body;
}

/** Commit subjects are other people's text: keep them from closing our markup. */
function escapeMd(s: string): string {
  return s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
