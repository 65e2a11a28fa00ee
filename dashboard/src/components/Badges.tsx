import { actionLabel, formatConfidence, statusLabel, statusTone } from '../lib/format.js';

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge tone-${statusTone(status)}`}>{statusLabel(status)}</span>;
}

export function ActionBadge({ action }: { action?: string }) {
  if (!action) return <span className="muted">—</span>;
  return <span className={`badge act act-${action}`}>{actionLabel(action)}</span>;
}

/** Confidence as text plus a bar; the text carries the meaning, the bar is decoration. */
export function ConfidenceMeter({ value, label }: { value?: number; label?: string }) {
  const pct = value === undefined ? 0 : Math.round(value * 100);
  return (
    <span className="conf" data-testid="confidence">
      <span className="conf-text">{label ? `${label} ` : ''}{formatConfidence(value)}</span>
      <span className="conf-bar" aria-hidden="true">
        <span style={{ width: `${pct}%` }} />
      </span>
    </span>
  );
}
