// A local fake of the GitHub REST API's deployment statuses (API version 2022-11-28):
// POST/GET /repos/{owner}/{repo}/deployments/{id}/statuses. Answers as documented: 201 with the
// status object; 401 "Bad credentials" without a valid token; 404 "Not Found" for an unknown
// deployment; 422 "Validation Failed" for a bad state or a description over 140 characters.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeStatus {
  id: number;
  state: string;
  description: string;
  environment?: string;
  log_url?: string;
  created_at: string;
}

export interface FakeGithubApi {
  url: string;
  token: string;
  /** key `owner/repo#id` */
  statuses: Map<string, FakeStatus[]>;
  addDeployment(owner: string, repo: string, id: number): void;
  requests: Array<{ method: string; path: string; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];

export async function startFakeGithubApi(token = 'ghp_fake'): Promise<FakeGithubApi> {
  const statuses = new Map<string, FakeStatus[]>();
  const requests: FakeGithubApi['requests'] = [];
  let nextId = 1;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requests.push({ method: req.method ?? '', path, headers: req.headers });
      if (req.headers.authorization !== `Bearer ${token}` && req.headers.authorization !== `token ${token}`)
        return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
      const m = /^\/repos\/([^/]+)\/([^/]+)\/deployments\/(\d+)\/statuses$/.exec(path);
      const key = m ? `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}#${m[3]}` : '';
      if (!m || !statuses.has(key)) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/deployments/statuses', status: '404' });
      const list = statuses.get(key)!;
      if (req.method === 'GET') return send(200, [...list].reverse());
      if (req.method !== 'POST') return send(404, { message: 'Not Found' });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      } catch {
        return send(400, { message: 'Problems parsing JSON' });
      }
      const invalid = (field: string) => send(422, { message: 'Validation Failed', errors: [{ resource: 'DeploymentStatus', code: 'invalid', field }], status: '422' });
      if (!STATES.includes(String(body.state))) return invalid('state');
      if (body.description !== undefined && (typeof body.description !== 'string' || body.description.length > 140)) return invalid('description');
      const st: FakeStatus = {
        id: nextId++,
        state: String(body.state),
        description: String(body.description ?? ''),
        environment: body.environment as string | undefined,
        log_url: body.log_url as string | undefined,
        created_at: new Date().toISOString(),
      };
      list.push(st);
      send(201, { url: `${req.headers.host}${path}/${st.id}`, ...st, creator: { login: 'commander-bot' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    statuses,
    requests,
    addDeployment: (owner, repo, id) => void statuses.set(`${owner}/${repo}#${id}`, []),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
