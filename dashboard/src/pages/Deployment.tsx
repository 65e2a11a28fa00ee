import { useMemo, useState } from 'react';
import type { DecisionRecord, DeploymentDetailResponse } from '../../../src/core/api.js';
import type { Finding } from '../../../src/core/types.js';
import { ApprovalForm } from '../components/ApprovalForm.js';
import { ActionBadge, ConfidenceMeter, StatusBadge } from '../components/Badges.js';
import { Card } from '../components/Card.js';
import { EvidenceCards } from '../components/Evidence.js';
import { MetricCharts } from '../components/MetricCharts.js';
import { RemediationPanel } from '../components/RemediationPanel.js';
import { Narration } from '../components/Narration.js';
import { useDeploymentDetail } from '../hooks/useDetail.js';
import { baselineFrom, evidenceAt, primaryDecision } from '../lib/deployments.js';
import { describeEvent, EVENT_LABEL } from '../lib/describe.js';
import { actionLabel, authorLabel, formatConfidence, formatStat, formatTime, guardLabel } from '../lib/format.js';

const NONE: Finding[] = [];

function Decisions({ d, last }: { d: DeploymentDetailResponse; last?: DecisionRecord }) {
  if (!last) return <p className="muted">No decision yet: the watch is still gathering evidence.</p>;
  return (
    <div className="decision" data-testid="decision">
      <div className="decision-head">
        <ActionBadge action={last.action} />
        <ConfidenceMeter value={last.confidence} label="confidence" />
        <span className="muted small">
          policy <a href="#/policy">{last.policyVersion}</a> · {formatTime(last.at)}
        </span>
      </div>
      <p>
        Guardrails: <strong>{guardLabel(last.guard.mode)}</strong> — {last.guard.reason}
        {last.approval && last.approval !== 'not_needed' && (
          <>
            {' '}
            · approval <strong>{last.approval}</strong>
          </>
        )}
      </p>
      {last.reasons.length > 0 && (
        <>
          <h3>Reasons</h3>
          <ol className="reasons">
            {last.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ol>
        </>
      )}
      {last.scores && (
        <p className="small muted">
          How the policy scored each action:{' '}
          {Object.entries(last.scores)
            .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
            .map(([a, s]) => `${actionLabel(a)} ${formatStat(s ?? 0)}`)
            .join(' · ')}
        </p>
      )}
      {last.approval === 'pending' && <ApprovalForm decisionId={last.id} />}
      {d.decisions.length > 1 && (
        <details>
          <summary>All decisions ({d.decisions.length})</summary>
          <ul>
            {[...d.decisions].reverse().map((x) => (
              <li key={x.id}>
                {formatTime(x.at)} — {actionLabel(x.action)} {formatConfidence(x.confidence)} ({guardLabel(x.guard.mode)})
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

export default function DeploymentPage({ id }: { id: string }) {
  const { detail: d, error } = useDeploymentDetail(id);
  if (error && !d) {
    return (
      <section>
        <p><a href="#/deployments">← Deployments</a></p>
        <p className="error" role="alert">
          {error.status === 404 ? `Deployment ${id} not found.` : error.message}
        </p>
      </section>
    );
  }
  if (!d) return <p className="muted">Loading deployment…</p>;
  return <Detail d={d} />;
}

function Detail({ d }: { d: DeploymentDetailResponse }) {
  const dep = d.deployment;
  // The decision shown (and whose evidence is shown) is the acted-on one unless the reader picks another.
  const [chosenId, setChosenId] = useState<string>();
  const primary = primaryDecision(d);
  const chosen = d.decisions.find((x) => x.id === chosenId) ?? primary;
  const then = useMemo(() => (chosen ? evidenceAt(d.events, chosen.at) : {}), [d.events, chosen]);
  const from = useMemo(() => baselineFrom(d.events, dep.at), [d.events, dep.at]);
  // A "continue" is best explained by the latest summary; any other action by the one it was made on.
  const decidedOn = chosen && chosen.action !== 'continue' && then.summary ? then.summary : undefined;
  const summary = decidedOn ?? d.summary;
  const laterSummary = decidedOn && d.summary && d.summary.headline !== decidedOn.headline ? d.summary : undefined;
  const findings = then.analysis?.findings ?? d.analysis?.findings ?? NONE;
  return (
    <article className="detail" data-status={dep.status} aria-labelledby="dep-title">
      <p>
        <a href="#/deployments">← Deployments</a>
      </p>
      <header className="detail-head">
        <h1 id="dep-title">
          {dep.service} <span className="ver">{dep.version}</span>
        </h1>
        <StatusBadge status={dep.status} />
        <p className="muted small">
          {dep.environment}
          {dep.previousVersion && ` · from ${dep.previousVersion}`}
          {dep.commit && ` · commit ${dep.commit.slice(0, 10)}`} · deployed {formatTime(dep.at)} · via {dep.source}
        </p>
      </header>

      <div className="grid2">
        <Card id="s-sum" title="Summary">
          {summary ? (
            <div data-testid="summary">
              {decidedOn && <p className="small muted">When it decided ({formatTime(chosen!.at)}):</p>}
              <p className="headline">{summary.headline}</p>
              {summary.lines.length > 0 && (
                <ul>
                  {summary.lines.map((l, i) => (
                    <li key={i}>{l.text}</li>
                  ))}
                </ul>
              )}
              <p className="small muted">written by {authorLabel(summary.author)}</p>
              <Narration events={d.events} upTo={then.summary ? primary?.at : undefined} />
              {laterSummary && (
                <p className="later">
                  <span className="small muted">Latest: </span>
                  {laterSummary.headline}
                </p>
              )}
            </div>
          ) : (
            <p className="muted">No summary yet.</p>
          )}
        </Card>
        <Card id="s-dec" title="Decision">
          <Decisions d={d} last={chosen} />
        </Card>
      </div>

      <Card id="s-charts" title="Metrics around the deploy">
        <MetricCharts d={d} findings={findings} {...(from !== undefined ? { baselineFrom: from } : {})} />
      </Card>

      <EvidenceCards d={d} {...(chosen ? { chosen } : {})} {...(then.analysis ? { atDecision: then.analysis } : {})} onChoose={setChosenId} />

      <div className="grid2">
        <Card id="s-act" title="Action and result">
          {d.actions.length ? (
            <ul className="actions" data-testid="actions">
              {d.actions.map((a) => (
                <li key={a.id}>
                  <ActionBadge action={a.action} /> <strong>{a.status.replace('_', ' ')}</strong> via {a.actuator}
                  <div className="small muted">
                    requested {formatTime(a.requestedAt)}
                    {a.finishedAt && ` · finished ${formatTime(a.finishedAt)}`}
                  </div>
                  {a.detail && <div>{a.detail}</div>}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No action taken.</p>
          )}
        </Card>
        <Card id="s-out" title="Outcome">
          {d.outcome ? (
            <div data-testid="outcome">
              <p>
                <span className={`badge ${d.outcome.recovered ? 'tone-ok' : 'tone-bad'}`}>
                  {d.outcome.recovered ? 'Recovered' : 'Not recovered'}
                </span>{' '}
                after {actionLabel(d.outcome.action)}
              </p>
              <p>{d.outcome.detail}</p>
              {d.outcome.reward !== undefined && (
                <p className="small muted">
                  reward {d.outcome.reward > 0 ? '+' : ''}
                  {formatStat(d.outcome.reward)} for the policy to learn from
                </p>
              )}
            </div>
          ) : (
            <p className="muted">Not verified yet.</p>
          )}
        </Card>
      </div>

      <Card id="s-rem" title="Remediation">
        <RemediationPanel deploymentId={dep.id} revision={d.events.length} />
      </Card>

      <Card id="s-tl" title="Timeline">
        <Timeline events={d.events} />
      </Card>
    </article>
  );
}

/** Routine per-tick events are folded away by default; everything is one click away. */
const ROUTINE = new Set(['signals.collected']);

function Timeline({ events }: { events: DeploymentDetailResponse['events'] }) {
  const [all, setAll] = useState(false);
  const routine = events.filter((e) => ROUTINE.has(e.type)).length;
  const shown = all ? events : events.filter((e) => !ROUTINE.has(e.type));
  return (
    <>
      {routine > 0 && (
        <p className="small">
          <button type="button" onClick={() => setAll((x) => !x)} aria-pressed={all}>
            {all ? 'Hide' : 'Show'} {routine} routine “signals collected” events
          </button>
        </p>
      )}
        <ol className="timeline" data-testid="timeline">
          {shown.map((ev) => (
            <li key={ev.seq} className={`ev ev-${ev.type.split('.')[0]}`}>
              <time dateTime={new Date(ev.at).toISOString()}>{formatTime(ev.at)}</time>
              <span className="ev-type">{EVENT_LABEL[ev.type] ?? ev.type}</span>
              <span className="ev-text">{describeEvent(ev)}</span>
              <span className="ev-actor muted small">{ev.actor}</span>
            </li>
          ))}
        </ol>
    </>
  );
}
