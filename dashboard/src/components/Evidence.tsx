// The evidence a decision was made on, and, separately, what the latest analysis says. After an
// action the latest analysis describes the recovery; it must not stand in for the reasons the
// action was taken (a rolled-back deploy whose latest tick is quiet still had its errors).
import type { DecisionRecord, DeploymentDetailResponse } from '../../../src/core/api.js';
import type { Analysis } from '../../../src/core/types.js';
import { Card } from './Card.js';
import { CoverageNote, FindingList } from './Findings.js';
import { actionLabel, actionNoun, formatConfidence, formatTime } from '../lib/format.js';

function DecisionPicker({ d, chosen, onChoose }: { d: DeploymentDetailResponse; chosen: DecisionRecord; onChoose: (id: string) => void }) {
  if (d.decisions.length < 2) return null;
  return (
    <p className="small">
      <label>
        Decision{' '}
        <select value={chosen.id} onChange={(e) => onChoose(e.target.value)}>
          {[...d.decisions].reverse().map((x) => (
            <option key={x.id} value={x.id}>
              {formatTime(x.at).slice(11)} — {actionLabel(x.action)} {formatConfidence(x.confidence)}
              {d.actions.some((a) => a.decisionId === x.id) ? ' (acted on)' : ''}
            </option>
          ))}
        </select>
      </label>
    </p>
  );
}

/** "after the rollback", "before any action": where the latest analysis stands. */
function relation(d: DeploymentDetailResponse, at: number): string {
  const done = [...d.actions].reverse().find((a) => a.status === 'executed' && (a.finishedAt ?? a.requestedAt) <= at);
  return done ? `after the ${actionNoun(done.action)}` : 'before any action';
}

export function EvidenceCards({
  d,
  chosen,
  atDecision,
  onChoose,
}: {
  d: DeploymentDetailResponse;
  chosen?: DecisionRecord;
  /** the analysis the chosen decision was made on */
  atDecision?: Analysis;
  onChoose: (id: string) => void;
}) {
  const latest = d.analysis;
  const sameAsDecision = latest && atDecision && latest.at === atDecision.at;
  return (
    <div className="grid2">
      <Card id="s-why" title="Evidence behind the decision">
        {!chosen ? (
          <p className="muted">No decision yet: the watch is still gathering evidence.</p>
        ) : (
          <div data-testid="evidence">
            <DecisionPicker d={d} chosen={chosen} onChoose={onChoose} />
            {atDecision ? (
              <>
                <p className="small muted">
                  What the analysis found at {formatTime(atDecision.at)}, {Math.round((atDecision.at - d.deployment.at) / 1000)} s after the deploy, when it
                  decided <strong>{actionLabel(chosen.action)}</strong> ({formatConfidence(chosen.confidence)}):
                </p>
                {atDecision.findings.length ? (
                  <FindingList findings={atDecision.findings} testId="evidence-findings" deployAt={d.deployment.at} />
                ) : (
                  <p>Nothing unusual: the analysis had no findings{chosen.action === 'continue' ? ', so the deploy continued' : ''}.</p>
                )}
                <CoverageNote analysis={atDecision} />
              </>
            ) : (
              <p className="muted">The analysis behind this decision is not on the timeline.</p>
            )}
          </div>
        )}
      </Card>
      <Card id="s-latest" title="Latest analysis">
        {!latest ? (
          <p className="muted">No analysis yet.</p>
        ) : sameAsDecision ? (
          <p className="muted" data-testid="latest-same">
            Nothing newer: the evidence beside it is also the latest analysis ({formatTime(latest.at)}).
          </p>
        ) : (
          <div data-testid="latest">
            <p className="small muted">
              At {formatTime(latest.at)}, {relation(d, latest.at)}:
            </p>
            {latest.findings.length ? <FindingList findings={latest.findings} testId="latest-findings" deployAt={d.deployment.at} /> : <p>Nothing unusual: no findings.</p>}
            <CoverageNote analysis={latest} />
          </div>
        )}
      </Card>
    </div>
  );
}
