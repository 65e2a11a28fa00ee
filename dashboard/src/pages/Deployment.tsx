import { lazy, Suspense, useMemo, useState } from 'react';
import type { DeploymentDetailResponse } from '../../../src/core/api.js';
import type { Finding } from '../../../src/core/types.js';
import { ApprovalForm } from '../components/ApprovalForm.js';
import { ActionBadge, ConfidenceMeter, StatusBadge } from '../components/Badges.js';
import { Card } from '../components/Card.js';
import { Narration } from '../components/Narration.js';
import { useDeploymentDetail } from '../hooks/useDetail.js';
import { buildChart, orderMetrics } from '../lib/chart.js';
import { evidenceAt, primaryDecision } from '../lib/deployments.js';
import { describeEvent, EVENT_LABEL } from '../lib/describe.js';
import { actionLabel, formatStat, formatTime } from '../lib/format.js';

const MetricChart = lazy(() => import('../components/MetricChart.js'));

const LOG_KINDS = new Set(['log_new', 'log_spike']);

function Stats({ stats }: { stats: Record<string, number> }) {
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

function FindingItem({ f }: { f: Finding }) {
  return (
    <li className="finding">
      <div className="finding-head">
        <span className="sev" title="severity" aria-label={`severity ${Math.round(f.severity * 100)}%`}>
          <span style={{ width: `${Math.round(f.severity * 100)}%` }} />
        </span>
        <strong>{f.text}</strong>
      </div>
      <div className="muted small">
        {f.kind.replace('_', ' ')} · {f.subject}
        {f.comparison !== 'none' && ` · ${f.comparison.replace('_', ' vs ')}`}
        {f.onset !== undefined && ` · onset ${formatTime(f.onset)}`}
      </div>
      <Stats stats={f.stats} />
    </li>
  );
}

function Decisions({ d }: { d: DeploymentDetailResponse }) {
  const last = primaryDecision(d);
  if (!last) return <p className="muted">No decision yet: the watch is still gathering evidence.</p>;
  return (
    <div className="decision" data-testid="decision">
      <div className="decision-head">
        <ActionBadge action={last.action} />
        <ConfidenceMeter value={last.confidence} label="confidence" />
        <span className="muted small">
          policy {last.policyVersion} · {formatTime(last.at)}
        </span>
      </div>
      <p>
        Guard: <strong>{last.guard.mode.replace('_', ' ')}</strong> — {last.guard.reason}
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
          Scores:{' '}
          {Object.entries(last.scores)
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
                {formatTime(x.at)} — {actionLabel(x.action)} {Math.round(x.confidence * 100)}% ({x.guard.mode.replace('_', ' ')})
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function Charts({ d, findings }: { d: DeploymentDetailResponse; findings: Finding[] }) {
  const models = useMemo(
    () =>
      orderMetrics(Object.keys(d.series ?? {})).map((m) => ({
        metric: m,
        model: buildChart(m, d.series![m]!, d.deployment.at, findings, d.actions),
      })),
    [d, findings],
  );
  if (!models.length) return <p className="muted">No metric series yet.</p>;
  return (
    <div className="charts">
      {models.map(({ metric, model }) => (
        <figure key={metric} className="chart-fig">
          <figcaption>
            <strong>{metric}</strong>
            <span className="legend-key">
              <span className="k k-deploy">deploy</span>
              <span className="k k-onset">onset</span>
              <span className="k k-action">action</span>
              {model.band && <span className="k k-band">{model.band.label}</span>}
            </span>
          </figcaption>
          <Suspense fallback={<div className="chart chart-loading">Loading chart…</div>}>
            <MetricChart metric={metric} model={model} />
          </Suspense>
        </figure>
      ))}
    </div>
  );
}

function Logs({ findings }: { findings: Finding[] }) {
  const logs = findings.filter((f) => LOG_KINDS.has(f.kind));
  if (!logs.length) return <p className="muted">No new or spiking log templates since the deploy.</p>;
  return (
    <ul className="logs">
      {logs.map((f) => (
        <li key={f.id}>
          <div>
            <span className={`badge ${f.kind === 'log_new' ? 'tone-bad' : 'tone-warn'}`}>{f.kind === 'log_new' ? 'new' : 'spiking'}</span>{' '}
            {f.evidence?.level && <span className="badge tone-info">{f.evidence.level}</span>}{' '}
            <code className="template">{f.evidence?.template ?? f.subject}</code>
          </div>
          <Stats stats={f.stats} />
          {f.evidence?.samples?.length ? (
            <details>
              <summary>Sample lines ({f.evidence.samples.length})</summary>
              <pre className="samples">{f.evidence.samples.join('\n')}</pre>
            </details>
          ) : null}
        </li>
      ))}
    </ul>
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
  const dep = d.deployment;
  // Show the evidence the acted-on decision rested on; the latest is shown beside it when newer.
  const primary = primaryDecision(d);
  const then = primary && primary.action !== 'continue' ? evidenceAt(d.events, primary.at) : {};
  const summary = then.summary ?? d.summary;
  const analysis = then.analysis ?? d.analysis;
  const laterSummary = then.summary && d.summary && d.summary.headline !== then.summary.headline ? d.summary : undefined;
  const findings = analysis?.findings ?? [];
  const why = findings.filter((f) => !LOG_KINDS.has(f.kind)).sort((a, b) => b.severity - a.severity);
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
              {then.summary && <p className="small muted">When it decided ({formatTime(primary!.at)}):</p>}
              <p className="headline">{summary.headline}</p>
              {summary.lines.length > 0 && (
                <ul>
                  {summary.lines.map((l, i) => (
                    <li key={i}>{l.text}</li>
                  ))}
                </ul>
              )}
              <p className="small muted">written by {summary.author}</p>
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
          <Decisions d={d} />
        </Card>
      </div>

      <Card id="s-charts" title="Metrics around the deploy">
        <Charts d={d} findings={findings} />
      </Card>

      <div className="grid2">
        <Card id="s-why" title="Findings and their statistics">
          {why.length ? (
            <ul className="findings">
              {why.map((f) => (
                <FindingItem key={f.id} f={f} />
              ))}
            </ul>
          ) : (
            <p className="muted">No findings yet.</p>
          )}
          {analysis && Object.keys(analysis.coverage).length > 0 && (
            <p className="small muted">
              {then.analysis && `As analysed at ${formatTime(analysis.at)}. `}
              Data coverage after deploy:{' '}
              {Object.entries(analysis.coverage)
                .map(([m, c]) => `${m} ${Math.round(c * 100)}%`)
                .join(' · ')}
              {analysis.canary && ' · canary vs stable'}
            </p>
          )}
        </Card>
        <Card id="s-logs" title="Log templates new or spiking since deploy">
          <Logs findings={findings} />
        </Card>
      </div>

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
              {d.outcome.reward !== undefined && <p className="small muted">reward {formatStat(d.outcome.reward)}</p>}
            </div>
          ) : (
            <p className="muted">Not verified yet.</p>
          )}
        </Card>
      </div>

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
