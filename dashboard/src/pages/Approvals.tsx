import { useMemo, useRef } from 'react';
import { ApprovalForm } from '../components/ApprovalForm.js';
import { ActionBadge, ConfidenceMeter, StatusBadge } from '../components/Badges.js';
import { FindingList } from '../components/Findings.js';
import { useDeploymentDetail } from '../hooks/useDetail.js';
import { useDeployments } from '../lib/deploymentsStore.js';
import { formatTime } from '../lib/format.js';
import { deploymentHref } from '../lib/route.js';
import { rankFindings } from '../lib/findings.js';
import type { DecisionRecord } from '../../../src/core/api.js';

function ApprovalCard({ id }: { id: string }) {
  const { detail: d, error } = useDeploymentDetail(id, { series: false });
  if (error && !d) return <li className="card error">{error.message}</li>;
  if (!d) return <li className="card muted">Loading…</li>;
  const pending = [...d.decisions].reverse().find((x) => x.approval === 'pending');
  const dep = d.deployment;
  const top = rankFindings(d.analysis?.findings ?? []).slice(0, 4);
  return (
    <li className="card approval-card" data-testid="approval-card" data-id={dep.id}>
      <h2>
        <a href={deploymentHref(dep.id)}>
          {dep.service} {dep.version}
        </a>{' '}
        <span className="muted small">{dep.environment}</span> <StatusBadge status={dep.status} />
      </h2>
      {d.summary && <p className="headline">{d.summary.headline}</p>}
      {pending ? (
        <>
          <p className="decision-head">
            Proposed: <ActionBadge action={pending.action} /> <ConfidenceMeter value={pending.confidence} label="confidence" />
          </p>
          <p className="small">Why it waits: {pending.guard.reason}</p>
          {pending.reasons.length > 0 && (
            <ol className="reasons">
              {pending.reasons.map((r, i) => (
                <li key={i}>{r}</li>
              ))}
            </ol>
          )}
          {top.length > 0 && (
            <details>
              <summary>Evidence ({top.length} strongest findings)</summary>
              <FindingList findings={top} testId="approval-findings" />
            </details>
          )}
          <p className="small muted">decided {formatTime(pending.at)} by policy {pending.policyVersion}</p>
          <ApprovalForm decisionId={pending.id} />
        </>
      ) : (
        <Settled decisions={d.decisions} />
      )}
    </li>
  );
}

/** What became of a card's decision once nobody needs to answer it any more. */
function Settled({ decisions }: { decisions: DecisionRecord[] }) {
  const answered = [...decisions].reverse().find((x) => x.approval === 'approved' || x.approval === 'rejected');
  if (!answered) return <p className="muted">No longer pending.</p>;
  return (
    <p className="ok" role="status">
      Decision {answered.approval}.{' '}
      <span className="muted small">
        {answered.approvalBy ? `by ${answered.approvalBy}` : ''}
        {answered.approvalReason ? ` — ${answered.approvalReason}` : ''}
      </span>
    </p>
  );
}

export default function ApprovalsPage() {
  const { rows, version, loaded } = useDeployments();
  // A card stays while the page is open after its decision was answered (here or elsewhere),
  // so the person sees what became of it instead of the card vanishing under their cursor.
  const shown = useRef(new Set<string>());
  const pending = useMemo(() => {
    const list = [...rows.values()]
      .filter((r) => r.pendingDecisionId || r.status === 'awaiting_approval' || shown.current.has(r.id))
      .sort((a, b) => b.at - a.at);
    for (const r of list) shown.current.add(r.id);
    return list;
  }, [version]);
  return (
    <section aria-labelledby="ap-h">
      <h1 id="ap-h">Approvals</h1>
      <p className="muted">Decisions the guardrails held for a person. Your reason is recorded in the audit trail.</p>
      {!loaded ? (
        <p className="muted">Loading…</p>
      ) : pending.length === 0 ? (
        <p className="empty">Nothing is waiting for approval.</p>
      ) : (
        <ul className="cards">
          {pending.map((r) => (
            <ApprovalCard key={r.id} id={r.id} />
          ))}
        </ul>
      )}
    </section>
  );
}
