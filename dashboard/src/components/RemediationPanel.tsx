import { useCallback, useEffect, useState } from 'react';
import { apiGet, apiPost } from '../lib/api.js';
import { formatTime } from '../lib/format.js';

// The shapes of GET/POST /api/deployments/:id/remediation (src/server/routes/remediation.ts);
// kept here so the browser bundle imports nothing from the server.
interface Finding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  path?: string;
  line?: number;
}
interface RemediationView {
  status: 'none' | 'requested' | 'prepared' | 'pr_opened' | 'skipped' | 'failed';
  mode: 'revert' | 'agent';
  running: boolean;
  configured: boolean;
  auto: boolean;
  rolledBack: boolean;
  rollbackVerified: boolean;
  branch?: string;
  diffstat?: string;
  reason?: string;
  stage?: string;
  commits?: Array<{ sha: string; subject: string; merge: boolean }>;
  pr?: { number: number; url: string; draft: boolean; adopted: boolean };
  review?: { head: string; event: string; conclusion: 'success' | 'failure'; findings: Finding[]; at: number };
}
interface Preview {
  branch: string;
  title: string;
  diffstat: string;
  body: string;
  commits: Array<{ sha: string; subject: string; merge: boolean }>;
  range: { from: string; to: string };
}

const STATUS: Record<RemediationView['status'], [string, string]> = {
  none: ['Not requested', 'tone-info'],
  requested: ['Requested', 'tone-info'],
  prepared: ['Branch prepared', 'tone-info'],
  pr_opened: ['Pull request open', 'tone-ok'],
  skipped: ['Skipped', 'tone-warn'],
  failed: ['Failed', 'tone-bad'],
};
const SEVERITY_TONE = { error: 'tone-bad', warning: 'tone-warn', info: 'tone-info' } as const;

/**
 * The deployment's remediation: state, the PR and its review findings, and "Preview" then
 * "Open PR". `revision` changes whenever the deployment's timeline grows, so it reloads live.
 */
export function RemediationPanel({ deploymentId, revision }: { deploymentId: string; revision: number }) {
  const path = `/api/deployments/${encodeURIComponent(deploymentId)}/remediation`;
  const [view, setView] = useState<RemediationView>();
  const [preview, setPreview] = useState<Preview>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      setView(await apiGet<RemediationView>(path));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [path]);

  useEffect(() => {
    void load();
  }, [load, revision]);

  // while a run is in flight, look again until it ends (its events also arrive live)
  useEffect(() => {
    if (!view?.running) return;
    const t = setTimeout(() => void load(), 1500);
    return () => clearTimeout(t);
  }, [view, load]);

  async function send(dryRun: boolean) {
    setBusy(true);
    setError(undefined);
    try {
      if (dryRun) setPreview((await apiPost<{ preview: Preview }>(path, { dryRun: true })).preview);
      else {
        await apiPost(path, {});
        setPreview(undefined);
      }
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!view) return <p className="muted">{error ?? 'Loading remediation…'}</p>;
  const [label, tone] = STATUS[view.status];
  const canOpen = view.rolledBack && view.configured && !view.running && !view.pr && view.status !== 'skipped';
  return (
    <div data-testid="remediation" data-status={view.status}>
      <p>
        <span className={`badge ${tone}`} data-testid="remediation-status">
          {view.running ? 'Running…' : label}
        </span>{' '}
        <span className="muted small">
          {view.mode === 'revert' ? 'revert' : 'agent fix'}
          {view.auto && ' · opened automatically after a verified rollback'}
          {view.branch && (
            <>
              {' '}
              · branch <code>{view.branch}</code>
            </>
          )}
        </span>
      </p>
      {!view.rolledBack && <p className="muted">Offered after a rollback: the commander can then open a pull request that takes the deployed commits off the branch.</p>}
      {view.rolledBack && !view.configured && <p className="muted">No repository is configured for this service (remediation.repo).</p>}
      {view.pr && (
        <p>
          Pull request{' '}
          <a href={view.pr.url} target="_blank" rel="noreferrer" data-testid="remediation-pr">
            #{view.pr.number}
          </a>
          {view.pr.draft && <span className="badge tone-info"> draft</span>} — review required; never merged automatically.
        </p>
      )}
      {view.reason && (view.status === 'failed' || view.status === 'skipped') && (
        <p className={view.status === 'failed' ? 'error' : 'muted'}>
          {view.stage ? `${view.stage}: ` : ''}
          {view.reason}
        </p>
      )}
      {view.diffstat && <pre className="samples" data-testid="remediation-diffstat">{view.diffstat}</pre>}
      {view.review && (
        <div data-testid="review-findings">
          <h3>
            Review of {view.review.head.slice(0, 10)}{' '}
            <span className={`badge ${view.review.conclusion === 'success' ? 'tone-ok' : 'tone-bad'}`}>{view.review.conclusion === 'success' ? 'no errors' : 'errors'}</span>
          </h3>
          {view.review.findings.length === 0 ? (
            <p className="muted">No findings: every rule passed.</p>
          ) : (
            <ul className="findings">
              {view.review.findings.map((f, i) => (
                <li key={i} className="finding">
                  <span className={`badge ${SEVERITY_TONE[f.severity]}`}>{f.severity}</span> <code>{f.ruleId}</code>
                  {f.path && (
                    <span className="muted small">
                      {' '}
                      {f.path}
                      {f.line ? `:${f.line}` : ''}
                    </span>
                  )}{' '}
                  {f.message}
                </li>
              ))}
            </ul>
          )}
          <p className="small muted">
            {view.review.event === 'REQUEST_CHANGES' ? 'Changes requested' : 'Commented'} at {formatTime(view.review.at)}; status devops-commander/review.
          </p>
        </div>
      )}
      {canOpen && (
        <div className="buttons">
          <button type="button" disabled={busy} onClick={() => void send(true)}>
            Preview
          </button>
          {preview && (
            <button type="button" className="primary" disabled={busy} onClick={() => void send(false)}>
              Open PR
            </button>
          )}
        </div>
      )}
      {preview && !view.pr && (
        <div data-testid="remediation-preview">
          <p>
            <strong>{preview.title}</strong> from <code>{preview.branch}</code> ({preview.commits.length} commit{preview.commits.length === 1 ? '' : 's'} reverted)
          </p>
          <pre className="samples">{preview.diffstat}</pre>
          <details>
            <summary>Pull request body</summary>
            <pre className="samples">{preview.body}</pre>
          </details>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
