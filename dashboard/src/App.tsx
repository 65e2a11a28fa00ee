import { lazy, Suspense, useEffect, useRef } from 'react';
import { useHash, useLiveStatus } from './hooks/useLive.js';
import { parseRoute, type Route } from './lib/route.js';
import { DeploymentsPage } from './pages/Deployments.js';
import { useDeployments } from './lib/deploymentsStore.js';

// Pages other than the landing list load on demand, keeping the first download small.
const DeploymentPage = lazy(() => import('./pages/Deployment.js'));
const ApprovalsPage = lazy(() => import('./pages/Approvals.js'));
const AuditPage = lazy(() => import('./pages/Audit.js'));
const PolicyPage = lazy(() => import('./pages/Policy.js'));
const SettingsPage = lazy(() => import('./pages/Settings.js'));

const NAV: Array<{ href: string; label: string; pages: Route['page'][] }> = [
  { href: '#/deployments', label: 'Deployments', pages: ['deployments', 'deployment'] },
  { href: '#/approvals', label: 'Approvals', pages: ['approvals'] },
  { href: '#/audit', label: 'Audit trail', pages: ['audit'] },
  { href: '#/policy', label: 'Policy', pages: ['policy'] },
  { href: '#/settings', label: 'Settings', pages: ['settings'] },
];

function LiveBadge() {
  const s = useLiveStatus();
  const text = s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span className={`live live-${s}`} role="status" aria-live="polite" data-testid="live-status">
      <span className="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function PendingCount() {
  const { rows } = useDeployments();
  let n = 0;
  for (const r of rows.values()) if (r.pendingDecisionId) n++;
  return n ? <span className="count" aria-label={`${n} pending`}>{n}</span> : null;
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'deployments':
      return <DeploymentsPage query={route.query} />;
    case 'deployment':
      return <DeploymentPage id={route.id} />;
    case 'approvals':
      return <ApprovalsPage />;
    case 'audit':
      return <AuditPage query={route.query} />;
    case 'policy':
      return <PolicyPage />;
    case 'settings':
      return <SettingsPage />;
  }
}

export function App() {
  const route = parseRoute(useHash());
  const main = useRef<HTMLElement>(null);
  // Move focus to the new page's content on navigation so keyboard and screen-reader users
  // land where the page changed.
  const key = route.page === 'deployment' ? `d:${route.id}` : route.page;
  const first = useRef(true);
  useEffect(() => {
    // Not on first load: there, Tab should start at "Skip to content" and the nav.
    if (first.current) first.current = false;
    else main.current?.focus({ preventScroll: true });
  }, [key]);
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="#/deployments">
          DevOps Commander
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <a href={n.href} aria-current={n.pages.includes(route.page) ? 'page' : undefined}>
                  {n.label}
                  {n.href === '#/approvals' && <PendingCount />}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <LiveBadge />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Page route={route} />
        </Suspense>
      </main>
    </>
  );
}
