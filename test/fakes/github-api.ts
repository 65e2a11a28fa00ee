// A local fake of the GitHub REST API (API version 2022-11-28) for the endpoints the commander
// uses, answering with the documented shapes and errors:
// - deployment statuses: POST/GET /repos/{o}/{r}/deployments/{id}/statuses (422 for a bad state
//   or a description over 140 characters, 404 for an unknown deployment);
// - pull requests over a real bare git repository (addRepo): GET /pulls (state, head=owner:branch,
//   base), POST /pulls (422 "A pull request already exists for owner:branch." when one is open
//   for the same head and base; 422 when head/base is missing or has no commits), GET/PATCH
//   /pulls/{n}, GET /pulls/{n}/files built from a real `git diff base...head`;
// - reviews: POST /pulls/{n}/reviews rejects the whole review with 422 "Pull request review thread
//   line must be part of the diff" when one comment is on a line outside the hunks; GET lists them;
// - labels (POST /issues/{n}/labels), issue comments (GET/POST /issues/{n}/comments, PATCH
//   /issues/comments/{id}), commit statuses (POST /statuses/{sha}, GET /commits/{ref}/statuses);
// - 401 "Bad credentials" without the token. Every request is recorded with its headers and body.
// `hold(...)` freezes the next matching request (before or after it takes effect) so a test can
// kill the client mid-call, as a crash would.
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import parseDiff from 'parse-diff';

export interface FakeStatus {
  id: number;
  state: string;
  description: string;
  environment?: string;
  log_url?: string;
  created_at: string;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  labels: string[];
  created_at: string;
}

export interface FakeReview {
  id: number;
  pull: number;
  commit_id: string;
  body: string;
  event: string;
  comments: Array<{ path: string; line: number; side: string; body: string }>;
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  edits: number;
}

export interface FakeCommitStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string;
  target_url?: string;
}

export interface FakeRepo {
  owner: string;
  name: string;
  gitDir: string;
  pulls: FakePull[];
  reviews: FakeReview[];
  comments: FakeComment[];
  commitStatuses: FakeCommitStatus[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, unknown>;
  body: unknown;
}

export interface FakeGithubApi {
  url: string;
  token: string;
  /** deployment statuses, key `owner/repo#id` */
  statuses: Map<string, FakeStatus[]>;
  addDeployment(owner: string, repo: string, id: number): void;
  /** pull requests etc. of `owner/repo`, served from the bare repository at gitDir */
  addRepo(owner: string, repo: string, gitDir: string): FakeRepo;
  repo(key: string): FakeRepo;
  requests: RecordedRequest[];
  /**
   * Freezes the next request matching method+path: 'before' it takes effect, or 'after' (the
   * effect happened, the answer never comes). Resolves when such a request arrives.
   */
  hold(method: string, path: RegExp, when: 'before' | 'after'): Promise<RecordedRequest>;
  close(): Promise<void>;
}

const STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
const COMMIT_STATES = ['error', 'failure', 'pending', 'success'];
const DOCS = 'https://docs.github.com/rest';

type Send = (code: number, body: unknown) => void;

function git(gitDir: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: gitDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

const sha = (gitDir: string, ref: string) => git(gitDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])?.trim() || undefined;

interface FileEntry {
  filename: string;
  status: 'added' | 'removed' | 'modified';
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
  /** lines a RIGHT-side comment may be on */
  right: Set<number>;
  left: Set<number>;
}

/** The PR's files as GitHub computes them: the diff from the merge base to the head. */
function pullFiles(r: FakeRepo, base: string, head: string): FileEntry[] {
  const text = git(r.gitDir, ['diff', '--no-color', '--no-renames', `${base}...${head}`]) ?? '';
  const sections = text.split(/^(?=diff --git )/m).filter((s) => s.startsWith('diff --git '));
  return sections.map((section) => {
    const [parsed] = parseDiff(section);
    const filename = (parsed.deleted ? parsed.from : parsed.to) ?? parsed.from ?? '';
    const at = section.indexOf('\n@@');
    const right = new Set<number>();
    const left = new Set<number>();
    for (const c of parsed.chunks)
      for (const ch of c.changes) {
        if (ch.type === 'add') right.add(ch.ln);
        else if (ch.type === 'del') left.add(ch.ln);
        else {
          right.add(ch.ln2);
          left.add(ch.ln1);
        }
      }
    return {
      filename,
      status: parsed.new ? 'added' : parsed.deleted ? 'removed' : 'modified',
      additions: parsed.additions,
      deletions: parsed.deletions,
      changes: parsed.additions + parsed.deletions,
      ...(at >= 0 ? { patch: section.slice(at + 1).replace(/\n$/, '') } : {}),
      right,
      left,
    };
  });
}

export async function startFakeGithubApi(token = 'ghp_fake'): Promise<FakeGithubApi> {
  const statuses = new Map<string, FakeStatus[]>();
  const repos = new Map<string, FakeRepo>();
  const requests: RecordedRequest[] = [];
  const holds: Array<{ method: string; path: RegExp; when: 'before' | 'after'; resolve: (r: RecordedRequest) => void }> = [];
  let nextId = 1;
  let base = '';

  const pullJson = (r: FakeRepo, p: FakePull) => {
    const headSha = sha(r.gitDir, `refs/heads/${p.head}`) ?? '0'.repeat(40);
    return {
      url: `${base}/repos/${r.owner}/${r.name}/pulls/${p.number}`,
      id: 1000 + p.number,
      html_url: `https://github.com/${r.owner}/${r.name}/pull/${p.number}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: { login: 'commander-bot', type: 'Bot' },
      body: p.body,
      labels: p.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
      created_at: p.created_at,
      updated_at: p.created_at,
      closed_at: p.state === 'closed' ? p.created_at : null,
      merged_at: p.merged ? p.created_at : null,
      merged: p.merged,
      draft: p.draft,
      head: { label: `${r.owner}:${p.head}`, ref: p.head, sha: headSha, user: { login: r.owner }, repo: { full_name: `${r.owner}/${r.name}` } },
      base: { label: `${r.owner}:${p.base}`, ref: p.base, sha: sha(r.gitDir, `refs/heads/${p.base}`) ?? '', user: { login: r.owner }, repo: { full_name: `${r.owner}/${r.name}` } },
    };
  };

  function handleRepo(r: FakeRepo, method: string, rest: string, query: URLSearchParams, body: Record<string, unknown>, send: Send): void {
    const notFound = () => send(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    const invalid = (resource: string, field: string, code = 'invalid') => send(422, { message: 'Validation Failed', errors: [{ resource, field, code }], documentation_url: DOCS, status: '422' });
    const pullOf = (n: string) => r.pulls.find((p) => p.number === Number(n));
    let m: RegExpExecArray | null;

    if (rest === '/pulls' && method === 'GET') {
      const state = query.get('state') ?? 'open';
      const head = query.get('head');
      const baseRef = query.get('base');
      const list = r.pulls
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || `${r.owner}:${p.head}` === head || (!head.includes(':') && p.head === head))
        .filter((p) => !baseRef || p.base === baseRef)
        .sort((a, b) => b.number - a.number);
      return send(200, list.map((p) => pullJson(r, p)));
    }
    if (rest === '/pulls' && method === 'POST') {
      if (typeof body.title !== 'string' || !body.title) return invalid('PullRequest', 'title', 'missing_field');
      const head = String(body.head ?? '').replace(new RegExp(`^${r.owner}:`), '');
      const baseRef = String(body.base ?? '');
      if (!sha(r.gitDir, `refs/heads/${head}`)) return invalid('PullRequest', 'head');
      if (!sha(r.gitDir, `refs/heads/${baseRef}`)) return invalid('PullRequest', 'base');
      if (r.pulls.some((p) => p.state === 'open' && p.head === head && p.base === baseRef))
        return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${r.owner}:${head}.` }], documentation_url: DOCS, status: '422' });
      if ((git(r.gitDir, ['rev-list', '--count', `refs/heads/${baseRef}..refs/heads/${head}`]) ?? '0').trim() === '0')
        return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${baseRef} and ${head}` }], documentation_url: DOCS, status: '422' });
      const p: FakePull = { number: r.pulls.length + 1, title: body.title, body: String(body.body ?? ''), head, base: baseRef, state: 'open', merged: false, draft: body.draft === true, labels: [], created_at: new Date().toISOString() };
      r.pulls.push(p);
      return send(201, pullJson(r, p));
    }
    if ((m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const p = pullOf(m[1]);
      if (!p) return notFound();
      if (method === 'PATCH') {
        if (body.state === 'closed' || body.state === 'open') p.state = body.state;
        if (typeof body.title === 'string') p.title = body.title;
        if (typeof body.body === 'string') p.body = body.body;
      }
      return send(200, pullJson(r, p));
    }
    if ((m = /^\/pulls\/(\d+)\/files$/.exec(rest)) && method === 'GET') {
      const p = pullOf(m[1]);
      if (!p) return notFound();
      const files = pullFiles(r, `refs/heads/${p.base}`, `refs/heads/${p.head}`);
      return send(
        200,
        files.map((f) => ({ sha: '', filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, changes: f.changes, ...(f.patch ? { patch: f.patch } : {}) })),
      );
    }
    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const p = pullOf(m[1]);
      if (!p) return notFound();
      const json = (v: FakeReview) => ({ id: v.id, user: { login: 'commander-bot' }, body: v.body, state: v.event === 'APPROVE' ? 'APPROVED' : v.event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : 'COMMENTED', commit_id: v.commit_id, html_url: `https://github.com/${r.owner}/${r.name}/pull/${p.number}#pullrequestreview-${v.id}` });
      if (method === 'GET') return send(200, r.reviews.filter((v) => v.pull === p.number).map(json));
      if (method !== 'POST') return notFound();
      const event = String(body.event ?? '');
      if (!['APPROVE', 'REQUEST_CHANGES', 'COMMENT'].includes(event)) return invalid('PullRequestReview', 'event');
      if (event !== 'APPROVE' && (typeof body.body !== 'string' || !body.body.trim()))
        return send(422, { message: 'Unprocessable Entity', errors: [`Review body is required when using ${event}`], documentation_url: DOCS, status: '422' });
      const commit = String(body.commit_id ?? sha(r.gitDir, `refs/heads/${p.head}`));
      if (!sha(r.gitDir, commit)) return send(422, { message: 'Unprocessable Entity', errors: ['commit_id is not part of the pull request'], documentation_url: DOCS, status: '422' });
      const files = pullFiles(r, `refs/heads/${p.base}`, commit);
      const comments = Array.isArray(body.comments) ? (body.comments as Array<Record<string, unknown>>) : [];
      for (const c of comments) {
        const f = files.find((x) => x.filename === c.path);
        if (!f) return send(422, { message: 'Unprocessable Entity', errors: ['Path could not be resolved'], documentation_url: DOCS, status: '422' });
        const lines = c.side === 'LEFT' ? f.left : f.right;
        if (typeof c.line !== 'number' || !lines.has(c.line))
          return send(422, { message: 'Unprocessable Entity', errors: ['Pull request review thread line must be part of the diff'], documentation_url: DOCS, status: '422' });
      }
      const v: FakeReview = { id: nextId++, pull: p.number, commit_id: commit, body: String(body.body ?? ''), event, comments: comments.map((c) => ({ path: String(c.path), line: Number(c.line), side: String(c.side ?? 'RIGHT'), body: String(c.body ?? '') })) };
      r.reviews.push(v);
      return send(200, json(v));
    }
    if ((m = /^\/issues\/(\d+)\/labels$/.exec(rest)) && method === 'POST') {
      const p = pullOf(m[1]);
      if (!p) return notFound();
      const labels = Array.isArray(body) ? body : Array.isArray(body.labels) ? body.labels : [];
      for (const l of labels) if (typeof l === 'string' && !p.labels.includes(l)) p.labels.push(l);
      return send(200, p.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })));
    }
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const p = pullOf(m[1]);
      if (!p) return notFound();
      const json = (c: FakeComment) => ({ id: c.id, body: c.body, user: { login: 'commander-bot' }, html_url: `https://github.com/${r.owner}/${r.name}/pull/${p.number}#issuecomment-${c.id}` });
      if (method === 'GET') return send(200, r.comments.filter((c) => c.issue === p.number).map(json));
      if (method !== 'POST') return notFound();
      if (typeof body.body !== 'string' || !body.body) return invalid('IssueComment', 'body', 'missing_field');
      const c: FakeComment = { id: nextId++, issue: p.number, body: body.body, edits: 0 };
      r.comments.push(c);
      return send(201, json(c));
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const c = r.comments.find((x) => x.id === Number(m![1]));
      if (!c) return notFound();
      if (typeof body.body !== 'string' || !body.body) return invalid('IssueComment', 'body', 'missing_field');
      c.body = body.body;
      c.edits++;
      return send(200, { id: c.id, body: c.body, user: { login: 'commander-bot' } });
    }
    if ((m = /^\/statuses\/([0-9a-f]{40})$/.exec(rest)) && method === 'POST') {
      if (!COMMIT_STATES.includes(String(body.state))) return invalid('Status', 'state');
      if (!sha(r.gitDir, m[1])) return send(422, { message: `No commit found for SHA: ${m[1]}`, documentation_url: DOCS, status: '422' });
      if (body.description !== undefined && String(body.description).length > 140) return invalid('Status', 'description');
      const st: FakeCommitStatus = { id: nextId++, sha: m[1], state: String(body.state), context: String(body.context ?? 'default'), description: String(body.description ?? ''), ...(body.target_url ? { target_url: String(body.target_url) } : {}) };
      r.commitStatuses.push(st);
      return send(201, { ...st, url: `${base}/repos/${r.owner}/${r.name}/statuses/${st.sha}`, creator: { login: 'commander-bot' } });
    }
    if ((m = /^\/commits\/([^/]+)\/statuses$/.exec(rest)) && method === 'GET') {
      const s = sha(r.gitDir, decodeURIComponent(m[1]));
      return send(200, r.commitStatuses.filter((x) => x.sha === s).reverse());
    }
    return notFound();
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send: Send = (code, body) => {
        res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'x-github-api-version-selected': '2022-11-28' });
        res.end(JSON.stringify(body));
      };
      const u = new URL(req.url ?? '/', 'http://x');
      const path = u.pathname;
      const raw = Buffer.concat(chunks).toString();
      let body: Record<string, unknown> = {};
      let parsedOk = true;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        parsedOk = false;
      }
      const rec: RecordedRequest = { method: req.method ?? '', path, query: u.search, headers: req.headers, body: parsedOk ? body : raw };
      requests.push(rec);
      if (req.headers.authorization !== `Bearer ${token}` && req.headers.authorization !== `token ${token}`)
        return send(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
      if (!parsedOk) return send(400, { message: 'Problems parsing JSON' });

      const hold = holds.findIndex((h) => h.method === rec.method && h.path.test(path));
      let respond: Send = send;
      if (hold >= 0) {
        const [h] = holds.splice(hold, 1);
        h.resolve(rec);
        if (h.when === 'before') return; // never takes effect, never answered
        respond = () => undefined; // takes effect, never answered
      }

      const rm = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path);
      if (!rm) return respond(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
      const key = `${decodeURIComponent(rm[1])}/${decodeURIComponent(rm[2])}`;
      const dm = /^\/deployments\/(\d+)\/statuses$/.exec(rm[3]);
      if (dm) return deploymentStatus(`${key}#${dm[1]}`, req.method ?? '', path, body, req.headers.host ?? '', respond);
      const r = repos.get(key);
      if (!r) return respond(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
      handleRepo(r, req.method ?? '', rm[3], u.searchParams, body, respond);
    });
  });

  function deploymentStatus(key: string, method: string, path: string, body: Record<string, unknown>, host: string, send: Send): void {
    if (!statuses.has(key)) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/deployments/statuses', status: '404' });
    const list = statuses.get(key)!;
    if (method === 'GET') return send(200, [...list].reverse());
    if (method !== 'POST') return send(404, { message: 'Not Found' });
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
    send(201, { url: `${host}${path}/${st.id}`, ...st, creator: { login: 'commander-bot' } });
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    token,
    statuses,
    requests,
    addDeployment: (owner, repo, id) => void statuses.set(`${owner}/${repo}#${id}`, []),
    addRepo: (owner, name, gitDir) => {
      const r: FakeRepo = { owner, name, gitDir, pulls: [], reviews: [], comments: [], commitStatuses: [] };
      repos.set(`${owner}/${name}`, r);
      return r;
    },
    repo: (key) => {
      const r = repos.get(key);
      if (!r) throw new Error(`fake GitHub has no repository ${key}`);
      return r;
    },
    hold: (method, path, when) => new Promise((resolve) => holds.push({ method, path, when, resolve })),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
