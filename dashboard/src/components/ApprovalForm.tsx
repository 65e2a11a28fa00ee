import { useId, useState } from 'react';
import { apiPost } from '../lib/api.js';

/** Approve or reject one pending decision, with a reason that goes to the audit trail. */
export function ApprovalForm({ decisionId, onDone }: { decisionId: string; onDone?: (verdict: 'approved' | 'rejected') => void }) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  async function send(verdict: 'approve' | 'reject') {
    if (!reason.trim()) {
      setError('Give a reason: it is recorded in the audit trail.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await apiPost(`/api/decisions/${encodeURIComponent(decisionId)}/${verdict}`, { reason: reason.trim() });
      const v = verdict === 'approve' ? 'approved' : 'rejected';
      setDone(v);
      onDone?.(v);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (done) return <p className="ok" role="status">Decision {done}.</p>;
  return (
    <form className="approval" onSubmit={(e) => (e.preventDefault(), void send('approve'))} aria-label="Approve or reject">
      <label htmlFor={`${id}-r`}>Reason</label>
      <textarea id={`${id}-r`} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required placeholder="Why you approve or reject" />
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          Approve
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void send('reject')}>
          Reject
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
