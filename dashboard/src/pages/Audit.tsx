import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { TimelineEvent } from '../../../src/core/timeline.js';
import { useLiveEvents } from '../hooks/useLive.js';
import { apiGet } from '../lib/api.js';
import { eventsFromAudit, verifyView, type VerifyView } from '../lib/audit.js';
import { describeEvent, EVENT_LABEL, searchText } from '../lib/describe.js';
import { formatTime } from '../lib/format.js';
import { deploymentHref } from '../lib/route.js';

const AUDIT_PAGE = 1000;
const KEEP = 50_000;

export default function AuditPage({ query }: { query: Record<string, string> }) {
  const ids = useId();
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [error, setError] = useState<string>();
  const [q, setQ] = useState(query.q ?? '');
  const [verify, setVerify] = useState<VerifyView>();
  const [checking, setChecking] = useState(false);

  // The trail is paged by seq (oldest first, 1000 a request); keep the newest KEEP events.
  const load = useCallback(async () => {
    try {
      let all: TimelineEvent[] = [];
      let after = 0;
      for (let i = 0; i < 100; i++) {
        const page = eventsFromAudit(await apiGet<unknown>(`/api/audit?limit=${AUDIT_PAGE}&afterSeq=${after}`));
        all = all.concat(page);
        if (all.length > KEEP) all = all.slice(-KEEP);
        if (page.length < AUDIT_PAGE) break;
        after = page[page.length - 1]!.seq;
      }
      setEvents(all);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  const check = useCallback(async () => {
    setChecking(true);
    try {
      setVerify(verifyView(await apiGet<unknown>('/api/audit/verify')));
    } catch (e) {
      setVerify({ ok: undefined, text: `Could not verify: ${(e as Error).message}` });
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void load();
    void check();
  }, [load, check]);

  // New events arrive live; keep them in seq order without re-fetching the whole trail.
  useLiveEvents((ev) =>
    setEvents((cur) => (cur.length && cur[cur.length - 1]!.seq >= ev.seq ? cur : [...cur, ev])),
  );

  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const list = needle ? events.filter((e) => searchText(e).includes(needle)) : events;
    return [...list].reverse(); // newest first
  }, [events, q]);

  const listRef = useRef<HTMLDivElement>(null);
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => setOffset(listRef.current?.offsetTop ?? 0), [events.length > 0]);
  const virtual = useWindowVirtualizer({
    count: shown.length,
    estimateSize: () => 64,
    overscan: 10,
    scrollMargin: offset,
    getItemKey: (i) => shown[i]!.seq,
  });

  return (
    <section aria-labelledby={`${ids}-h`}>
      <h1 id={`${ids}-h`}>Audit trail</h1>
      <div className={`verify ${verify?.ok === true ? 'tone-ok' : verify?.ok === false ? 'tone-bad' : 'tone-info'}`} role="status" data-testid="audit-verify">
        <span>{verify ? verify.text : 'Verifying hash chain…'}</span>
        <button type="button" onClick={() => void check()} disabled={checking}>
          Verify again
        </button>
      </div>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="type, actor, deployment, text…" />
        </label>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="muted" aria-live="polite">
        {shown.length.toLocaleString('en-US')} of {events.length.toLocaleString('en-US')} events
      </p>
      <div ref={listRef} className="audit" role="list" style={{ height: virtual.getTotalSize() }}>
        {virtual.getVirtualItems().map((v) => {
          const ev = shown[v.index]!;
          return (
            <div
              key={v.key}
              role="listitem"
              className="audit-row"
              data-index={v.index}
              ref={virtual.measureElement}
              style={{ transform: `translateY(${v.start - virtual.options.scrollMargin}px)` }}
            >
              <div className="audit-meta">
                <span className="seq">#{ev.seq}</span>
                <time dateTime={new Date(ev.at).toISOString()}>{formatTime(ev.at)}</time>
                <strong>{EVENT_LABEL[ev.type] ?? ev.type}</strong>
                <span className="muted">{ev.actor}</span>
                {ev.deploymentId && <a href={deploymentHref(ev.deploymentId)}>{ev.deploymentId}</a>}
              </div>
              <div className="audit-text">{describeEvent(ev)}</div>
              <div className="hash small muted" title={`prev ${ev.prevHash}`}>
                hash {ev.hash?.slice(0, 16)}…
              </div>
            </div>
          );
        })}
      </div>
    </section>
  );
}
