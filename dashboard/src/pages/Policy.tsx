import { useCallback, useEffect, useState } from 'react';
import { ApiError, apiGet, apiPost } from '../lib/api.js';
import { actionLabel, formatStat, formatTime } from '../lib/format.js';
import { policyHistory, policyVersions, type PolicyVersionView } from '../lib/policy.js';
import { useLiveEvents } from '../hooks/useLive.js';

/** How many of the newest versions get their detail (action mix) fetched. */
const DETAIL_VERSIONS = 30;
const TABLE_ROWS = 50;

const MIX_COLOURS: Record<string, string> = { continue: '#16a34a', rollback: '#dc2626', scale_up: '#2563eb', escalate: '#d97706' };

/** Accuracy and reward over versions as a small inline SVG (no chart library needed here). */
function Trend({ versions, field, label }: { versions: PolicyVersionView[]; field: 'accuracy' | 'reward' | 'estimatedValue'; label: string }) {
  const pts = versions.map((v, i) => [i, v[field]] as const).filter((p): p is readonly [number, number] => p[1] !== undefined);
  if (pts.length === 0) return <p className="muted small">No {label.toLowerCase()} recorded.</p>;
  const w = 320;
  const h = 80;
  const ys = pts.map((p) => p[1]);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const x = (i: number) => (versions.length > 1 ? (i / (versions.length - 1)) * (w - 20) + 10 : w / 2);
  const y = (v: number) => (hi === lo ? h / 2 : h - 10 - ((v - lo) / (hi - lo)) * (h - 20));
  return (
    <figure className="trend">
      <figcaption>
        {label}: latest {formatStat(ys[ys.length - 1]!)} (range {formatStat(lo)}–{formatStat(hi)})
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${label} over versions`}>
        <polyline fill="none" stroke="#2563eb" strokeWidth="2" points={pts.map(([i, v]) => `${x(i)},${y(v)}`).join(' ')} />
        {pts.map(([i, v]) => (
          <circle key={i} cx={x(i)} cy={y(v)} r="3" fill="#2563eb" />
        ))}
      </svg>
    </figure>
  );
}

function Mix({ mix }: { mix: Record<string, number> }) {
  const e = Object.entries(mix);
  if (!e.length) return <span className="muted">—</span>;
  return (
    <span className="mix" role="img" aria-label={e.map(([a, s]) => `${actionLabel(a)} ${Math.round(s * 100)}%`).join(', ')}>
      {e.map(([a, s]) => (
        <span key={a} title={`${actionLabel(a)} ${Math.round(s * 100)}%`} style={{ width: `${s * 100}%`, background: MIX_COLOURS[a] ?? '#64748b' }} />
      ))}
    </span>
  );
}

export default function PolicyPage() {
  const [versions, setVersions] = useState<PolicyVersionView[]>();
  const [state, setState] = useState<'loading' | 'ok' | 'unavailable' | 'error'>('loading');
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [showAll, setShowAll] = useState(false);
  const [history, setHistory] = useState<ReturnType<typeof policyHistory>>([]);

  const load = useCallback(async () => {
    try {
      const body = await apiGet<unknown>('/api/policy/versions');
      const list = policyVersions(body);
      // The action mix comes from each version's detail (rewards learned per action); fetch it
      // for the newest versions only, and carry on without it where the server has none.
      await Promise.all(
        list.slice(-DETAIL_VERSIONS).map(async (v) => {
          if (Object.keys(v.actionMix).length) return;
          try {
            const d = policyVersions({ versions: [{ version: v.version, ...(await apiGet<Record<string, unknown>>(`/api/policy/versions/${encodeURIComponent(v.version)}`)) }] })[0];
            if (d) v.actionMix = d.actionMix;
          } catch {
            /* no detail route: the mix stays empty */
          }
        }),
      );
      setVersions(list);
      setHistory(policyHistory(body));
      setState('ok');
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 501)) setState('unavailable');
      else {
        setState('error');
        setMessage((e as Error).message);
      }
    }
  }, []);
  useEffect(() => void load(), [load]);
  useLiveEvents((ev) => {
    if (ev.type === 'policy.updated') void load();
  });

  async function rollback(version: string) {
    if (!window.confirm(`Make policy ${version} the active version again?`)) return;
    setBusy(version);
    setMessage(undefined);
    try {
      await apiPost('/api/policy/rollback', { version });
      setMessage(`Policy rolled back to ${version}.`);
      await load();
    } catch (e) {
      setMessage(
        e instanceof ApiError && e.status === 404
          ? 'This server does not offer policy rollback (the policy API is not available).'
          : `Rollback failed: ${(e as Error).message}`,
      );
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <section aria-labelledby="pol-h">
      <h1 id="pol-h">Policy</h1>
      {state === 'loading' && <p className="muted">Loading policy versions…</p>}
      {state === 'unavailable' && (
        <p className="notice" role="status" data-testid="policy-unavailable">
          The policy API is not available on this commander (GET /api/policy/versions answered 404). Decisions still
          work; versions, learning curves and rollback appear here once the server offers them.
        </p>
      )}
      {state === 'error' && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      {message && state === 'ok' && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
      {versions && versions.length === 0 && <p className="empty">No policy versions recorded yet.</p>}
      {versions && versions.length > 0 && (
        <>
          <div className="grid2">
            <div className="card">
              <Trend versions={versions} field="accuracy" label="Accuracy" />
            </div>
            <div className="card">
              <Trend versions={versions} field="reward" label="Reward of the outcome learned" />
              <Trend versions={versions} field="estimatedValue" label="Estimated value (off-policy, DR)" />
            </div>
          </div>
          <p className="small muted legend-mix">
            Action mix (rewards each version learned from, per action):{' '}
            {Object.entries(MIX_COLOURS).map(([a, c]) => (
              <span key={a}>
                <span className="swatch" style={{ background: c }} aria-hidden="true" /> {actionLabel(a)}
              </span>
            ))}
          </p>
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Policy versions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Created</th>
                  <th scope="col">Learned from</th>
                  <th scope="col">Accuracy</th>
                  <th scope="col">Reward</th>
                  <th scope="col">Action mix</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...versions].reverse().slice(0, showAll ? undefined : TABLE_ROWS).map((v) => (
                  <tr key={v.version}>
                    <th scope="row">
                      {v.version} {v.active && <span className="badge tone-ok">active</span>}
                      {v.kind && <div className="small muted">{v.kind}</div>}
                      {v.parent && <div className="small muted">from {v.parent}</div>}
                    </th>
                    <td>{v.createdAt ? formatTime(v.createdAt) : '—'}</td>
                    <td>{v.learnedFrom || '—'}</td>
                    <td>{v.accuracy !== undefined ? `${formatStat(v.accuracy * 100)}%` : '—'}</td>
                    <td>{v.reward !== undefined ? formatStat(v.reward) : '—'}</td>
                    <td>
                      <Mix mix={v.actionMix} />
                    </td>
                    <td>
                      {!v.active && (
                        <button type="button" onClick={() => void rollback(v.version)} disabled={busy !== undefined}>
                          Roll back to {v.version}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {versions.length > TABLE_ROWS && (
            <p>
              <button type="button" onClick={() => setShowAll((x) => !x)} aria-pressed={showAll}>
                {showAll ? `Show the newest ${TABLE_ROWS}` : `Show all ${versions.length} versions`}
              </button>
            </p>
          )}
          {history.length > 0 && (
            <details className="card">
              <summary>Activation history ({history.length})</summary>
              <ol className="history">
                {history.map((h, i) => (
                  <li key={i}>
                    {formatTime(h.at)} — <strong>{h.version}</strong> {h.why && <span className="muted">({h.why})</span>}
                  </li>
                ))}
              </ol>
            </details>
          )}
        </>
      )}
    </section>
  );
}
