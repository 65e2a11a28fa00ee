// A local fake of the parts of the Kubernetes API the actuators use, built from the documented
// shapes (apps/v1 Deployment, ReplicaSet, autoscaling/v1 Scale, meta/v1 Status, argoproj.io/v1alpha1
// Rollout). Kubernetes cannot run on this machine, so this stands in for kube-apiserver plus a
// minimal deployment controller:
// - resourceVersion bumps on every write; metadata.generation bumps only when .spec changes;
//   PUT with a stale resourceVersion → 409 Conflict (optimistic concurrency, as the real server);
// - PATCH accepts application/json-patch+json (RFC 6902), application/merge-patch+json (RFC 7386)
//   and application/strategic-merge-patch+json (maps merged, lists of named objects merged by
//   `name`, `$patch: replace` honoured: the subset client code uses); anything else → 415;
// - a deployment controller that, like the real one, hashes the pod template, reuses or creates
//   the owned ReplicaSet (ownerReferences controller=true), gives it revision max+1 (moving the
//   old number to deployment.kubernetes.io/revision-history when it reuses one), copies the
//   Deployment's annotations to it except the skip list, writes the revision back on the
//   Deployment, and reports status (observedGeneration, updated/ready/available replicas) in two
//   steps so callers really have to wait;
// - bearer-token authentication (401 otherwise), 404 Status objects for missing things.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export type Obj = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};
interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  creationTimestamp?: string;
  [k: string]: unknown;
}

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const HASH_LABEL = 'pod-template-hash';
// the deployment controller does not copy these from the Deployment to its ReplicaSets
const CONTROLLER_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface FakeKubeOptions {
  token?: string;
  /** ms before the controller reacts to a spec change (status lags, as in a real cluster) */
  controllerDelayMs?: number;
  /** when true, new pods never become available (a rollout that does not settle); setStuck(false) lets them */
  stuck?: boolean;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  contentType?: string;
  body?: unknown;
}

export interface FakeKubeApiserver {
  url: string;
  token: string;
  kubeconfigYaml(namespace?: string): string;
  requests: RequestLogEntry[];
  get(kind: 'deployments' | 'replicasets' | 'rollouts', ns: string, name: string): Obj | undefined;
  list(kind: 'deployments' | 'replicasets' | 'rollouts', ns: string): Obj[];
  /** create a Deployment and roll it through each template in turn, as `kubectl apply` would */
  seedDeployment(ns: string, name: string, templates: Array<Record<string, unknown>>, replicas?: number): Promise<void>;
  /** create or replace an object directly (Rollouts and the ReplicaSets a Rollout owns) */
  put(kind: 'deployments' | 'replicasets' | 'rollouts', ns: string, obj: Obj): Obj;
  setStuck(stuck: boolean): void;
  close(): Promise<void>;
}

const clone = <T>(v: T): T => structuredClone(v);
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    isObj(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x,
  );
}

function templateWithoutHash(t: unknown): unknown {
  const c = clone(t) as { metadata?: { labels?: Record<string, string> } };
  if (c?.metadata?.labels) delete c.metadata.labels[HASH_LABEL];
  return c;
}

function templateHash(t: unknown): string {
  return createHash('sha256').update(canonical(templateWithoutHash(t))).digest('hex').slice(0, 10);
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

// ---- patches -------------------------------------------------------------------------------

function decodePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new HttpError(422, 'Invalid', `invalid JSON pointer ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: unknown, parts: string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObj(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new HttpError(400, 'BadRequest', 'json patch must be an array of operations');
  let root = clone(doc);
  for (const raw of ops) {
    if (!isObj(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw new HttpError(400, 'BadRequest', 'each json patch operation needs op and path');
    const parts = decodePointer(raw.path);
    const op = raw.op;
    const setAt = (value: unknown, insert: boolean) => {
      if (parts.length === 0) {
        root = clone(value);
        return;
      }
      const parent = getAt(root, parts.slice(0, -1));
      const key = parts[parts.length - 1];
      if (Array.isArray(parent)) {
        const idx = key === '-' ? parent.length : Number(key);
        if (!Number.isInteger(idx) || idx < 0 || idx > parent.length)
          throw new HttpError(422, 'Invalid', `index out of range in ${raw.path}`);
        if (insert) parent.splice(idx, 0, clone(value));
        else {
          if (idx >= parent.length) throw new HttpError(422, 'Invalid', `no element at ${raw.path}`);
          parent[idx] = clone(value);
        }
      } else if (isObj(parent)) {
        if (!insert && !(key in parent)) throw new HttpError(422, 'Invalid', `replace: missing value at ${raw.path}`);
        parent[key] = clone(value);
      } else throw new HttpError(422, 'Invalid', `doc is missing path: ${raw.path}`);
    };
    const removeAt = () => {
      const parent = getAt(root, parts.slice(0, -1));
      const key = parts[parts.length - 1];
      if (Array.isArray(parent) && Number(key) < parent.length) parent.splice(Number(key), 1);
      else if (isObj(parent) && key in parent) delete parent[key];
      else throw new HttpError(422, 'Invalid', `remove: missing value at ${raw.path}`);
    };
    switch (op) {
      case 'add':
        setAt(raw.value, true);
        break;
      case 'replace':
        setAt(raw.value, false);
        break;
      case 'remove':
        removeAt();
        break;
      case 'test':
        if (canonical(getAt(root, parts)) !== canonical(raw.value))
          throw new HttpError(422, 'Invalid', `test failed at ${raw.path}`);
        break;
      case 'copy':
      case 'move': {
        const from = decodePointer(String(raw.from));
        const v = getAt(root, from);
        if (v === undefined) throw new HttpError(422, 'Invalid', `${op}: missing from ${String(raw.from)}`);
        if (op === 'move') {
          const parent = getAt(root, from.slice(0, -1));
          const k = from[from.length - 1];
          if (Array.isArray(parent)) parent.splice(Number(k), 1);
          else if (isObj(parent)) delete parent[k];
        }
        setAt(v, true);
        break;
      }
      default:
        throw new HttpError(400, 'BadRequest', `unknown json patch op ${op}`);
    }
  }
  return root;
}

function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

function applyStrategicMerge(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _drop, ...rest } = patch;
    return clone(rest);
  }
  const out: Record<string, unknown> = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (Array.isArray(v) && Array.isArray(out[k]) && v.every((e) => isObj(e) && typeof e.name === 'string')) {
      const merged = (out[k] as unknown[]).map((e) => clone(e));
      for (const e of v as Array<Record<string, unknown>>) {
        const i = merged.findIndex((m) => isObj(m) && m.name === e.name);
        if (i >= 0) merged[i] = applyStrategicMerge(merged[i], e);
        else merged.push(clone(e));
      }
      out[k] = merged;
    } else out[k] = applyStrategicMerge(out[k], v);
  }
  return out;
}

// ---- the server ----------------------------------------------------------------------------

export async function startFakeKubeApiserver(opts: FakeKubeOptions = {}): Promise<FakeKubeApiserver> {
  const token = opts.token ?? 'fake-token-' + randomUUID();
  const delay = opts.controllerDelayMs ?? 30;
  let stuck = opts.stuck ?? false;
  let rv = 1000;
  const store = new Map<string, Obj>(); // `${kind}/${ns}/${name}`
  const requests: RequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const key = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;
  const nextRv = () => String(++rv);
  const list = (kind: string, ns: string) =>
    [...store.entries()].filter(([k]) => k.startsWith(`${kind}/${ns}/`)).map(([, v]) => v);

  function save(kind: string, ns: string, obj: Obj, prev?: Obj): Obj {
    obj.metadata.namespace = ns;
    obj.metadata.resourceVersion = nextRv();
    if (!prev) {
      obj.metadata.uid = randomUUID();
      obj.metadata.creationTimestamp = new Date().toISOString();
      obj.metadata.generation = 1;
    } else {
      obj.metadata.uid = prev.metadata.uid;
      obj.metadata.creationTimestamp = prev.metadata.creationTimestamp;
      const specChanged = canonical(prev.spec) !== canonical(obj.spec);
      obj.metadata.generation = (prev.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    }
    store.set(key(kind, ns, obj.metadata.name), obj);
    if (kind === 'deployments' && (!prev || obj.metadata.generation !== prev.metadata.generation)) schedule(ns, obj.metadata.name);
    return obj;
  }

  function schedule(ns: string, name: string) {
    const t = setTimeout(() => {
      timers.delete(t);
      reconcile(ns, name, 'progress');
      const t2 = setTimeout(() => {
        timers.delete(t2);
        reconcile(ns, name, 'finish');
      }, delay);
      timers.add(t2);
    }, delay);
    timers.add(t);
  }

  function ownedReplicaSets(d: Obj): Obj[] {
    return list('replicasets', d.metadata.namespace!).filter((rs) =>
      (rs.metadata.ownerReferences ?? []).some((o) => o.controller && o.uid === d.metadata.uid),
    );
  }

  /** The deployment controller, reduced to what rollouts and rollbacks observe. */
  function reconcile(ns: string, name: string, phase: 'progress' | 'finish') {
    const d = store.get(key('deployments', ns, name));
    if (!d || !d.spec) return;
    const spec = d.spec as { replicas?: number; template: Record<string, unknown>; paused?: boolean };
    if (spec.paused) return;
    const replicas = spec.replicas ?? 1;
    const owned = ownedReplicaSets(d);
    const maxRev = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
    const hash = templateHash(spec.template);
    let newRs = owned.find((rs) => canonical(templateWithoutHash(rs.spec?.template)) === canonical(spec.template));
    const copied = Object.fromEntries(
      Object.entries(d.metadata.annotations ?? {}).filter(([k]) => !CONTROLLER_SKIP.has(k)),
    );
    if (!newRs) {
      const tpl = clone(spec.template) as { metadata?: { labels?: Record<string, string> } };
      tpl.metadata = { ...(tpl.metadata ?? {}), labels: { ...(tpl.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
      newRs = save('replicasets', ns, {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-${hash}`,
          labels: { ...(tpl.metadata.labels ?? {}) },
          annotations: { ...copied, [REVISION]: String(maxRev + 1) },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: d.metadata.uid!, controller: true },
          ],
        },
        spec: { replicas: 0, selector: clone(d.spec.selector), template: tpl },
        status: { replicas: 0, availableReplicas: 0, readyReplicas: 0 },
      });
    } else {
      const cur = Number(newRs.metadata.annotations?.[REVISION] ?? 0);
      if (cur < maxRev) {
        // reusing an old ReplicaSet (a rollback): it becomes the newest revision
        const next = clone(newRs);
        const hist = next.metadata.annotations?.[REVISION_HISTORY];
        next.metadata.annotations = {
          ...(next.metadata.annotations ?? {}),
          ...copied,
          [REVISION]: String(maxRev + 1),
          [REVISION_HISTORY]: hist ? `${hist},${cur}` : String(cur),
        };
        newRs = save('replicasets', ns, next, newRs);
      }
    }
    const ready = phase === 'finish' && !stuck ? replicas : 0;
    const updated = phase === 'finish' ? replicas : Math.ceil(replicas / 2);
    for (const rs of ownedReplicaSets(d)) {
      const isNew = rs.metadata.name === newRs.metadata.name;
      const want = isNew ? replicas : phase === 'finish' && !stuck ? 0 : (rs.spec?.replicas as number) ?? 0;
      const next = clone(rs);
      next.spec = { ...(next.spec ?? {}), replicas: want };
      next.status = isNew
        ? { replicas: want, readyReplicas: ready, availableReplicas: ready, observedGeneration: next.metadata.generation }
        : { replicas: want, readyReplicas: want, availableReplicas: want, observedGeneration: next.metadata.generation };
      save('replicasets', ns, next, rs);
    }
    const nd = clone(store.get(key('deployments', ns, name))!);
    nd.metadata.annotations = { ...(nd.metadata.annotations ?? {}), [REVISION]: newRs.metadata.annotations![REVISION] };
    const oldAvail = ownedReplicaSets(d)
      .filter((rs) => rs.metadata.name !== newRs!.metadata.name)
      .reduce((s, rs) => s + (((rs.status?.availableReplicas as number) ?? 0) || 0), 0);
    nd.status = {
      observedGeneration: nd.metadata.generation,
      replicas: updated + (phase === 'finish' && !stuck ? 0 : oldAvail),
      updatedReplicas: updated,
      readyReplicas: ready + oldAvail,
      availableReplicas: ready + oldAvail,
      unavailableReplicas: Math.max(0, replicas - ready),
    };
    // a status/annotation write does not bump generation, so it does not re-trigger the controller
    const prev = store.get(key('deployments', ns, name))!;
    nd.metadata.resourceVersion = nextRv();
    nd.metadata.generation = prev.metadata.generation;
    store.set(key('deployments', ns, name), nd);
  }

  function status(code: number, reason: string, message: string) {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function patchDoc(current: Obj, contentType: string, body: unknown): Obj {
    const ct = contentType.split(';')[0].trim();
    if (ct === 'application/json-patch+json') return applyJsonPatch(current, body) as Obj;
    if (ct === 'application/merge-patch+json') return applyMergePatch(current, body) as Obj;
    if (ct === 'application/strategic-merge-patch+json') return applyStrategicMerge(current, body) as Obj;
    throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
  }

  function writeGuard(prev: Obj, next: Obj) {
    if (next.metadata?.name !== prev.metadata.name) throw new HttpError(422, 'Invalid', 'metadata.name is immutable');
    if (next.metadata.resourceVersion && next.metadata.resourceVersion !== prev.metadata.resourceVersion)
      throw new HttpError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${prev.kind}.apps "${prev.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
  }

  function toScale(d: Obj) {
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: d.metadata.name,
        namespace: d.metadata.namespace,
        uid: d.metadata.uid,
        resourceVersion: d.metadata.resourceVersion,
        creationTimestamp: d.metadata.creationTimestamp,
      },
      spec: { replicas: (d.spec as { replicas?: number }).replicas ?? 1 },
      status: { replicas: (d.status?.replicas as number) ?? 0, selector: selectorString(d) },
    };
  }

  function selectorString(d: Obj): string {
    const m = ((d.spec?.selector as { matchLabels?: Record<string, string> })?.matchLabels ?? {}) as Record<string, string>;
    return Object.entries(m)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }

  function matchesSelector(o: Obj, sel: string | null): boolean {
    if (!sel) return true;
    return sel.split(',').every((term) => {
      const [k, v] = term.split('=');
      return o.metadata.labels?.[k] === v;
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const text = method === 'GET' ? '' : await readBody(req);
    const ct = req.headers['content-type'];
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'BadRequest', 'request body is not valid JSON');
      }
    }
    requests.push({ method, path: url.pathname, contentType: ct, body });
    if (req.headers.authorization !== `Bearer ${token}`) throw new HttpError(401, 'Unauthorized', 'Unauthorized');

    const m =
      /^\/apis\/(apps\/v1|argoproj\.io\/v1alpha1)\/namespaces\/([^/]+)\/(deployments|replicasets|rollouts)(?:\/([^/]+))?(?:\/(scale|status))?$/.exec(
        url.pathname,
      );
    if (!m) throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const [, group, ns, kind, name, sub] = m;
    if ((kind === 'rollouts') !== (group === 'argoproj.io/v1alpha1'))
      throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');

    if (!name) {
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'method not allowed');
      const items = list(kind, ns).filter((o) => matchesSelector(o, url.searchParams.get('labelSelector')));
      const kindName = kind === 'deployments' ? 'DeploymentList' : kind === 'replicasets' ? 'ReplicaSetList' : 'RolloutList';
      return send(res, 200, { kind: kindName, apiVersion: group, metadata: { resourceVersion: String(rv) }, items });
    }
    const cur = store.get(key(kind, ns, name));
    const gr = kind === 'rollouts' ? `${kind}.argoproj.io` : `${kind}.apps`;
    if (!cur) throw new HttpError(404, 'NotFound', `${gr} "${name}" not found`);

    if (sub === 'scale') {
      if (kind !== 'deployments') throw new HttpError(404, 'NotFound', 'no scale subresource');
      if (method === 'GET') return send(res, 200, toScale(cur));
      let scale: ReturnType<typeof toScale>;
      if (method === 'PUT') {
        scale = body as ReturnType<typeof toScale>;
        if (scale?.metadata?.resourceVersion && scale.metadata.resourceVersion !== cur.metadata.resourceVersion)
          throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified`);
      } else if (method === 'PATCH') scale = patchDoc(toScale(cur) as unknown as Obj, ct ?? '', body) as unknown as ReturnType<typeof toScale>;
      else throw new HttpError(405, 'MethodNotAllowed', 'method not allowed');
      const replicas = scale?.spec?.replicas;
      if (!Number.isInteger(replicas) || (replicas as number) < 0)
        throw new HttpError(422, 'Invalid', 'Scale.autoscaling "' + name + '" is invalid: spec.replicas: Invalid value: must be greater than or equal to 0');
      const next = clone(cur);
      next.spec = { ...next.spec, replicas };
      return send(res, 200, toScale(save(kind, ns, next, cur)));
    }

    if (method === 'GET') return send(res, 200, cur);
    let next: Obj;
    if (method === 'PUT') {
      next = clone(body) as Obj;
      writeGuard(cur, next);
    } else if (method === 'PATCH') {
      next = patchDoc(cur, ct ?? '', body);
      writeGuard(cur, next);
    } else throw new HttpError(405, 'MethodNotAllowed', 'method not allowed');
    // the main resource ignores status changes and the status subresource ignores spec changes
    if (sub === 'status') next.spec = clone(cur.spec);
    else if (kind !== 'rollouts' || !sub) next.status = clone(cur.status);
    if (kind === 'deployments') {
      const t = (next.spec as { template?: unknown })?.template;
      if (!isObj(t)) throw new HttpError(422, 'Invalid', `Deployment.apps "${name}" is invalid: spec.template: Required value`);
    }
    return send(res, 200, save(kind, ns, next, cur));
  }

  function send(res: ServerResponse, code: number, obj: unknown) {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(obj));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof HttpError) send(res, e.code, status(e.code, e.reason, e.message));
      else send(res, 500, status(500, 'InternalError', String(e)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const waitQuiet = () =>
    new Promise<void>((resolve) => {
      const tick = () => (timers.size === 0 ? resolve() : setTimeout(tick, 5));
      tick();
    });

  return {
    url,
    token,
    requests,
    kubeconfigYaml: (namespace = 'default') =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${url}`,
        // client-node refuses plain http unless TLS verification is explicitly off
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: fake-user',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: fake',
        '  context:',
        '    cluster: fake',
        '    user: fake-user',
        `    namespace: ${namespace}`,
        'current-context: fake',
        '',
      ].join('\n'),
    get: (kind, ns, name) => clone(store.get(key(kind, ns, name))),
    list: (kind, ns) => list(kind, ns).map(clone),
    async seedDeployment(ns, name, templates, replicas = 3) {
      const labels = (templates[0] as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {
        app: name,
      };
      for (const [i, tpl] of templates.entries()) {
        const cur = store.get(key('deployments', ns, name));
        const next: Obj = cur
          ? { ...clone(cur), spec: { ...clone(cur.spec), template: clone(tpl) } }
          : {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name, labels: { app: name }, annotations: { 'kubernetes.io/change-cause': `seed ${i + 1}` } },
              spec: { replicas, selector: { matchLabels: clone(labels) }, template: clone(tpl) },
              status: {},
            };
        if (cur) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'kubernetes.io/change-cause': `seed ${i + 1}` };
        save('deployments', ns, next, cur);
        await waitQuiet();
      }
    },
    put(kind, ns, obj) {
      const cur = store.get(key(kind, ns, obj.metadata.name));
      return clone(save(kind, ns, clone(obj), cur));
    },
    setStuck(s) {
      stuck = s;
      // the controller resyncs: pods that can start now do
      if (!s) for (const d of [...store.keys()].filter((k) => k.startsWith('deployments/'))) schedule(d.split('/')[1], d.split('/')[2]);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
