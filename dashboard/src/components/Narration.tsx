import type { TimelineEvent } from '../../../src/core/timeline.js';

/** The newest `summary.narrated` event at or before `upTo` (all when undefined). */
export function latestNarration(events: readonly TimelineEvent[], upTo?: number): TimelineEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'summary.narrated' && (upTo === undefined || e.at <= upTo)) return e;
  }
  return undefined;
}

/**
 * The LLM narrator's restatement of the summary (src/loop/narration.ts): shown only when it
 * passed the fact check against the findings; otherwise one line says why the deterministic
 * summary stands. Nothing when no LLM is configured.
 */
export function Narration({ events, upTo }: { events: readonly TimelineEvent[]; upTo?: number }) {
  const n = latestNarration(events, upTo);
  if (!n) return null;
  const p = n.payload as { text?: unknown; author?: unknown; grounded?: unknown; error?: unknown };
  if (p.grounded === true && typeof p.text === 'string') {
    return (
      <div className="narration later" data-testid="narration">
        <p>{p.text}</p>
        <p className="small muted">narrated by {String(p.author)}; every number and name in it was checked against the findings</p>
      </div>
    );
  }
  return (
    <p className="small muted later" data-testid="narration">
      LLM narration not used ({typeof p.error === 'string' ? p.error : 'unavailable'}): the summary above is the deterministic one.
    </p>
  );
}
