// Findings as a person reads them: what was found, in words, with the numbers behind it; the
// analysis's raw statistics and sample log lines one click away.
import type { Analysis, Finding } from '../../../src/core/types.js';
import { findingWords, LOG_KINDS, rankFindings } from '../lib/findings.js';
import { formatStat, formatTime, metricLabel } from '../lib/format.js';

const STRENGTH_TEXT = { strong: 'strong sign', moderate: 'moderate sign', weak: 'weak sign', context: 'context' } as const;
const STRENGTH_TONE = { strong: 'tone-bad', moderate: 'tone-warn', weak: 'tone-info', context: 'tone-muted' } as const;

function RawStats({ stats }: { stats: Record<string, number> }) {
  const e = Object.entries(stats ?? {});
  if (!e.length) return null;
  return (
    <dl className="stats">
      {e.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{formatStat(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "+5 s", "+2.5 min": how long after the deploy something began. */
function afterDeploy(at: number, deployAt: number): string {
  const s = Math.round((at - deployAt) / 1000);
  if (s < 0) return `${-s} s before the deploy`;
  return s < 120 ? `${s} s after the deploy` : `${Math.round(s / 6) / 10} min after the deploy`;
}

export function FindingItem({ f, deployAt }: { f: Finding; deployAt?: number }) {
  const w = findingWords(f);
  const log = LOG_KINDS.has(f.kind);
  const samples = f.evidence?.samples ?? [];
  return (
    <li className="finding" data-finding-id={f.id} data-kind={f.kind}>
      <div className="finding-head">
        <span className={`badge ${STRENGTH_TONE[w.strength]}`} title={`severity ${Math.round(f.severity * 100)}%`}>
          {STRENGTH_TEXT[w.strength]}
        </span>
        <strong>{w.title}</strong>
        {w.cause && <span className="cause">{w.cause}</span>}
      </div>
      {log ? <code className="template">{f.evidence?.template ?? f.text}</code> : <p className="finding-text">{f.text}</p>}
      {w.facts.length > 0 && <p className="facts small">{w.facts.join(' · ')}</p>}
      {(w.comparison || f.onset !== undefined) && (
        <p className="small muted">
          {w.comparison}
          {w.comparison && f.onset !== undefined && ' · '}
          {f.onset !== undefined && `began ${formatTime(f.onset)}${deployAt !== undefined ? ` (${afterDeploy(f.onset, deployAt)})` : ''}`}
        </p>
      )}
      {samples.length > 0 && (
        <details>
          <summary>Sample lines ({samples.length})</summary>
          <pre className="samples">{samples.join('\n')}</pre>
        </details>
      )}
      {Object.keys(f.stats ?? {}).length > 0 && (
        <details className="raw">
          <summary>Raw statistics</summary>
          <RawStats stats={f.stats} />
        </details>
      )}
    </li>
  );
}

/** Findings strongest first; those that are only context (severity 0) after them. */
export function FindingList({ findings, testId, deployAt }: { findings: readonly Finding[]; testId: string; deployAt?: number }) {
  const ranked = rankFindings(findings);
  return (
    <ul className="findings" data-testid={testId}>
      {ranked.map((f) => (
        <FindingItem key={f.id} f={f} {...(deployAt !== undefined ? { deployAt } : {})} />
      ))}
    </ul>
  );
}

/** Which metrics arrived short after the deploy (a gap is missing data, not trouble). */
export function CoverageNote({ analysis }: { analysis: Analysis }) {
  const entries = Object.entries(analysis.coverage ?? {});
  if (!entries.length) return null;
  const short = entries.filter(([, c]) => c < 0.995);
  return (
    <p className="small muted">
      {short.length === 0
        ? 'Every metric arrived in full after the deploy'
        : `Samples received after the deploy: ${short.map(([m, c]) => `${metricLabel(m)} ${Math.round(c * 100)}%`).join(', ')}${short.length < entries.length ? '; the rest in full' : ''}`}
      {analysis.canary && ' · compared canary against the stable group'}.
    </p>
  );
}
