// Findings → a short text a person can act on. Ranked by severity, deduplicated (one line per
// subject: the canary comparison and the before/after one of the same metric say the same thing),
// and every line points at the finding it restates so the dashboard can show the numbers behind it.
import type { Analysis, DeploymentSpec, Finding, Summary, SummaryLine } from '../core/types.js';

/** findings weaker than this are statistics, not news (too small to matter, one-off spikes) */
const MIN_SEVERITY = 0.3;
const MAX_LINES = 6;
const MAX_LOG_LINES = 3;

function dedupKey(f: Finding): string {
  if (f.kind === 'log_new' || f.kind === 'log_spike') return `log:${f.subject}`;
  if (f.kind === 'data_gap') return 'data_gap';
  // the operator's own limit is a line of its own beside the before/after change of the same metric
  if (f.kind === 'threshold') return f.id;
  if (f.kind === 'restarts') return f.id;
  return `${f.kind === 'metric_spread' ? 'spread' : 'metric'}:${f.subject}`;
}

export function rankFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  let logs = 0;
  const sorted = [...findings].sort((a, b) => b.severity - a.severity || a.id.localeCompare(b.id));
  for (const f of sorted) {
    if (f.severity < MIN_SEVERITY) continue;
    const k = dedupKey(f);
    if (seen.has(k)) continue;
    const isLog = f.kind === 'log_new' || f.kind === 'log_spike';
    if (isLog && logs >= MAX_LOG_LINES) continue;
    seen.add(k);
    if (isLog) logs++;
    out.push(f);
    if (out.length >= MAX_LINES) break;
  }
  return out;
}

export function summarize(analysis: Analysis, deployment: DeploymentSpec): Summary {
  const ranked = rankFindings(analysis.findings);
  const lines: SummaryLine[] = ranked.map((f) => ({ text: f.text, findingId: f.id }));
  // Changes the metric had already made before the deploy (it drifted there, or a change began
  // earlier) are why a visible difference was not called harm: say so, so "continue" on a noisy
  // deploy is explained instead of looking like a missed alarm.
  const explained = analysis.findings.filter((f) => f.kind === 'metric_shift' && (f.stats.within_recent_baseline === 1 || f.stats.within_baseline === 1) && !ranked.includes(f));
  for (const f of explained.slice(0, 2)) lines.push({ text: f.text, findingId: f.id });
  const headline =
    ranked.length === 0
      ? `No significant change since ${deployment.version}${deployment.previousVersion ? ` (was ${deployment.previousVersion})` : ''}${explained.length ? `; ${explained[0].text}` : ''}`
      : `${deployment.service} ${deployment.version}: ${ranked[0].text}`;
  const text = [headline, ...lines.slice(1).map((l) => `- ${l.text}`)].join('\n');
  return { headline, lines, text, author: 'deterministic' };
}
