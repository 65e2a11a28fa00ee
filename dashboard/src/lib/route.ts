// Hash routes (#/deployments/ID): work on any static host without server rewrites.

export type Route =
  | { page: 'deployments'; query: Record<string, string> }
  | { page: 'deployment'; id: string }
  | { page: 'approvals' }
  | { page: 'audit'; query: Record<string, string> }
  | { page: 'policy' }
  | { page: 'settings' };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', qs = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(qs));
  switch (parts[0]) {
    case 'deployments':
      return parts[1] ? { page: 'deployment', id: parts[1] } : { page: 'deployments', query };
    case 'approvals':
      return { page: 'approvals' };
    case 'audit':
      return { page: 'audit', query };
    case 'policy':
      return { page: 'policy' };
    case 'settings':
      return { page: 'settings' };
    default:
      return { page: 'deployments', query };
  }
}

export function deploymentHref(id: string): string {
  return `#/deployments/${encodeURIComponent(id)}`;
}

/** '#/deployments?service=x' with empty values dropped, so filters survive reloads and links. */
export function listHref(query: Record<string, string>): string {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ''));
  const s = q.toString();
  return s ? `#/deployments?${s}` : '#/deployments';
}
