import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { DeploymentListItem } from '../../../src/core/api.js';
import { ActionBadge, ConfidenceMeter, StatusBadge } from '../components/Badges.js';
import { useMedia } from '../hooks/useMedia.js';
import { useNow } from '../hooks/useLive.js';
import { useDeployments } from '../lib/deploymentsStore.js';
import { distinct, EMPTY_FILTERS, visibleRows, type ListFilters } from '../lib/deployments.js';
import { formatAge, STATUS_LABEL } from '../lib/format.js';
import { deploymentHref, listHref } from '../lib/route.js';

function filtersFromQuery(q: Record<string, string>): ListFilters {
  return {
    service: q.service ?? '',
    environment: q.environment ?? '',
    status: q.status ?? '',
    decision: q.decision ?? '',
  };
}

const Row = memo(function Row({ r, index, top, height, now }: { r: DeploymentListItem; index: number; top: number; height: number; now: number }) {
  return (
    <a
      role="row"
      aria-rowindex={index + 2}
      className="drow"
      href={deploymentHref(r.id)}
      data-id={r.id}
      data-status={r.status}
      title={r.headline}
      style={{ height, transform: `translateY(${top}px)` }}
    >
      <span role="cell" className="c-svc">{r.service}</span>
      <span role="cell" className="c-env">{r.environment}</span>
      <span role="cell" className="c-ver">{r.version}</span>
      <span role="cell" className="c-status"><StatusBadge status={r.status} /></span>
      <span role="cell" className="c-dec"><ActionBadge action={r.decision?.action} /></span>
      <span role="cell" className="c-conf"><ConfidenceMeter value={r.decision?.confidence} /></span>
      <span role="cell" className="c-age">{formatAge(r.at, now)}</span>
    </a>
  );
});

/**
 * The virtualised body: only the rows in view (plus a few) exist in the DOM. Scrolling
 * re-renders this component alone, and memoised rows that stay in view are not re-rendered.
 */
function Rows({ rows, now, narrow, loaded }: { rows: DeploymentListItem[]; now: number; narrow: boolean; loaded: boolean }) {
  const listRef = useRef<HTMLDivElement>(null);
  const [offset, setOffset] = useState(0);
  useLayoutEffect(() => {
    setOffset(listRef.current?.offsetTop ?? 0);
  }, [narrow, loaded]);
  const rowHeight = narrow ? 76 : 44;
  // Stable callbacks: new ones would make the virtualizer re-measure all rows on every scroll.
  const estimateSize = useCallback(() => rowHeight, [rowHeight]);
  const getItemKey = useCallback((i: number) => rows[i]!.id, [rows]);
  const virtual = useWindowVirtualizer({ count: rows.length, estimateSize, overscan: 8, scrollMargin: offset, getItemKey });
  useEffect(() => virtual.measure(), [rowHeight, virtual]);
  return (
    <div ref={listRef} className="dbody" role="rowgroup" style={{ height: virtual.getTotalSize() }}>
      {virtual.getVirtualItems().map((v) => (
        <Row key={v.key} r={rows[v.index]!} index={v.index} top={v.start - offset} height={rowHeight} now={now} />
      ))}
    </div>
  );
}

export function DeploymentsPage({ query }: { query: Record<string, string> }) {
  const { rows, version, loaded, error } = useDeployments();
  const [filters, setFilters] = useState<ListFilters>(() => filtersFromQuery(query));
  const now = useNow(5000);
  const narrow = useMedia('(max-width: 700px)');
  const ids = useId();

  // Keep filters in the URL (replaceState: no history spam, no hashchange re-render loop).
  useEffect(() => {
    const href = listHref({ ...filters });
    if (window.location.hash !== href) history.replaceState(null, '', href);
  }, [filters]);

  const visible = useMemo(() => visibleRows(rows.values(), filters), [version, filters]);
  const services = useMemo(() => distinct(rows.values(), 'service'), [version]);
  const environments = useMemo(() => distinct(rows.values(), 'environment'), [version]);

  const set = (k: keyof ListFilters) => (e: { target: { value: string } }) =>
    setFilters((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section aria-labelledby={`${ids}-h`}>
      <h1 id={`${ids}-h`}>Deployments</h1>
      <form className="filters" role="search" aria-label="Filter deployments" onSubmit={(e) => e.preventDefault()}>
        <label>
          Service
          <input type="search" list={`${ids}-svc`} value={filters.service} onChange={set('service')} placeholder="any" />
          <datalist id={`${ids}-svc`}>
            {services.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </label>
        <label>
          Environment
          <select value={filters.environment} onChange={set('environment')}>
            <option value="">any</option>
            {environments.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filters.status} onChange={set('status')}>
            <option value="">any</option>
            {Object.entries(STATUS_LABEL).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          Decision
          <select value={filters.decision} onChange={set('decision')}>
            <option value="">any</option>
            <option value="continue">Continue</option>
            <option value="rollback">Roll back</option>
            <option value="scale_up">Scale up</option>
            <option value="escalate">Escalate</option>
          </select>
        </label>
        <button type="button" onClick={() => setFilters(EMPTY_FILTERS)} disabled={!Object.values(filters).some(Boolean)}>
          Clear
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="muted" aria-live="polite" data-testid="list-count">
        {loaded ? `Showing ${visible.length.toLocaleString('en-US')} of ${rows.size.toLocaleString('en-US')} deployments` : 'Loading deployments…'}
      </p>
      <div className="dlist" role="table" aria-label="Deployments" aria-rowcount={visible.length + 1}>
        <div className="drow dhead" role="row" aria-rowindex={1}>
          <span role="columnheader">Service</span>
          <span role="columnheader">Environment</span>
          <span role="columnheader">Version</span>
          <span role="columnheader">Status</span>
          <span role="columnheader">Decision</span>
          <span role="columnheader">Confidence</span>
          <span role="columnheader">Age</span>
        </div>
        <Rows rows={visible} now={now} narrow={narrow} loaded={loaded} />
      </div>
      {loaded && visible.length === 0 && <p className="empty">No deployments match.</p>}
    </section>
  );
}
