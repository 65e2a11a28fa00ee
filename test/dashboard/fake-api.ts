// A stand-in commander API built from src/core/api.ts shapes, for developing the dashboard and
// measuring the list with thousands of rows before/without the real server. It serves the
// built dashboard too. The real end-to-end test (test/e2e/dashboard.test.ts) uses the product.
// Run by hand: npx tsx test/dashboard/fake-api.ts [rows] [port]
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';
import { fileURLToPath } from 'node:url';
import type { DecisionRecord, DeploymentDetailResponse, DeploymentListItem } from '../../src/core/api.js';
import type { NewTimelineEvent, TimelineEvent } from '../../src/core/timeline.js';
import type { DeploymentStatus } from '../../src/core/types.js';

const SERVICES = ['checkout', 'payments', 'search', 'catalog', 'auth', 'cart', 'shipping', 'email'];
const ENVS = ['production', 'staging', 'canary'];
const STATUSES: DeploymentStatus[] = ['healthy', 'healthy', 'healthy', 'rolled_back', 'scaled_up', 'escalated', 'watching'];

export interface FakeApi {
  url: string;
  details: Map<string, DeploymentDetailResponse>;
  /** deploy a bad version now; it goes watching → decision → rolled back over `ms` */
  badDeploy(ms?: number): string;
  close(): Promise<void>;
}

export async function startFakeApi(opts: { rows?: number; port?: number } = {}): Promise<FakeApi> {
  const now = Date.now();
  const details = new Map<string, DeploymentDetailResponse>();
  const events: TimelineEvent[] = [];
  const clients = new Set<(ev: TimelineEvent) => void>();
  let seq = 0;
  const append = (e: NewTimelineEvent): TimelineEvent => {
    const ev: TimelineEvent = { ...e, seq: ++seq, prevHash: 'x'.repeat(64), hash: seq.toString(16).padStart(64, '0') };
    events.push(ev);
    const d = e.deploymentId ? details.get(e.deploymentId) : undefined;
    d?.events.push(ev);
    for (const c of clients) c(ev);
    return ev;
  };

  function series(at: number, bad: boolean) {
    const pts = (base: number, jump: number) =>
      Array.from({ length: 60 }, (_, i) => {
        const t = at - 30 * 60_000 + i * 45_000;
        const after = t >= at + 60_000;
        return [t, base * (1 + 0.1 * Math.sin(i)) + (after && bad ? jump : 0)] as [number, number];
      });
    return {
      error_rate: { points: pts(0.004, 0.3) },
      latency_p95_ms: { points: pts(180, 400) },
      memory_bytes: { points: pts(2.2e8, 1e8) },
    };
  }

  function make(i: number, at: number, status: DeploymentStatus): DeploymentDetailResponse {
    const id = `dep-${String(i).padStart(5, '0')}`;
    const bad = status !== 'healthy' && status !== 'watching';
    const decision: DecisionRecord | undefined =
      status === 'watching'
        ? undefined
        : {
            id: `dec-${id}`,
            at: at + 120_000,
            action: status === 'rolled_back' ? 'rollback' : status === 'scaled_up' ? 'scale_up' : status === 'escalated' ? 'escalate' : 'continue',
            confidence: 0.55 + ((i * 37) % 45) / 100,
            reasons: bad ? ['error_rate up 75x after deploy (p<0.001)', 'new error template since deploy'] : ['no change after deploy'],
            policyVersion: 'v3',
            guard: { mode: 'execute', reason: 'confidence above threshold' },
            approval: 'not_needed',
          };
    return {
      deployment: {
        id,
        service: SERVICES[i % SERVICES.length]!,
        environment: ENVS[i % ENVS.length]!,
        version: `v2.${i % 40}.${i % 7}`,
        previousVersion: `v2.${i % 40}.0`,
        at,
        source: 'demo',
        receivedAt: at,
        status,
      },
      events: [],
      decisions: decision ? [decision] : [],
      actions: [],
      summary: bad
        ? {
            headline: 'Error rate 30% vs 0.4% before; new error ×1,203: TypeError: cannot read properties of undefined',
            lines: [{ text: 'p95 latency 580 ms vs 180 ms before', findingId: 'metric_shift:latency_p95_ms' }],
            text: '',
            author: 'deterministic',
          }
        : undefined,
      analysis: bad
        ? {
            at: at + 120_000,
            deployAt: at,
            canary: false,
            coverage: { error_rate: 1, latency_p95_ms: 1 },
            findings: [
              {
                id: 'metric_shift:error_rate', kind: 'metric_shift', subject: 'error_rate', severity: 0.95, direction: 'up',
                comparison: 'before_after', onset: at + 60_000, stats: { before: 0.004, after: 0.3, p_value: 1e-6, effect: 75 },
                text: 'error_rate 30% vs 0.4% before (p<0.001)',
              },
              {
                id: 'log_new:t1', kind: 'log_new', subject: 't1', severity: 0.8, direction: 'up', comparison: 'before_after',
                stats: { count: 1203, before: 0 }, text: 'new error ×1,203',
                evidence: { template: 'TypeError: cannot read properties of undefined (reading <*>)', level: 'error', samples: ["TypeError: cannot read properties of undefined (reading 'price')"] },
              },
            ],
          }
        : undefined,
      series: series(at, bad),
    };
  }

  const rows = opts.rows ?? 50;
  for (let i = 0; i < rows; i++) {
    const d = make(i, now - (rows - i) * 60_000, STATUSES[i % STATUSES.length]!);
    details.set(d.deployment.id, d);
  }
  // One staging decision held for approval.
  const held = make(rows, now - 30_000, 'awaiting_approval');
  held.deployment.environment = 'staging';
  held.decisions = [{ ...held.decisions[0]!, action: 'rollback', confidence: 0.58, guard: { mode: 'await_approval', reason: 'confidence 58% below staging threshold 60%' }, approval: 'pending' }];
  details.set(held.deployment.id, held);
  let next = rows + 1;

  const listItem = (d: DeploymentDetailResponse): DeploymentListItem => {
    const last = d.decisions[d.decisions.length - 1];
    return {
      ...d.deployment,
      decision: last && { action: last.action, confidence: last.confidence, at: last.at },
      headline: d.summary?.headline,
      pendingDecisionId: d.decisions.find((x) => x.approval === 'pending')?.id,
    };
  };
  const setStatus = (d: DeploymentDetailResponse, status: DeploymentStatus) => {
    d.deployment.status = status;
  };

  const app = Fastify();
  await app.register(fastifyStatic, { root: fileURLToPath(new URL('../../dashboard/dist/', import.meta.url)) });
  app.get('/api/deployments', async () => ({ deployments: [...details.values()].map(listItem) }));
  app.get<{ Params: { id: string } }>('/api/deployments/:id', async (req, reply) => {
    const d = details.get(req.params.id);
    return d ?? reply.code(404).send({ error: 'deployment not found' });
  });
  app.get<{ Querystring: { deploymentId?: string; type?: string } }>('/api/audit', async (req) => ({
    events: events.filter((e) => (!req.query.deploymentId || e.deploymentId === req.query.deploymentId) && (!req.query.type || e.type === req.query.type)),
  }));
  // Policy versions in the policy store's shape (src/server/policy-routes.ts).
  let activePolicy = 'v6';
  const policy = Array.from({ length: 6 }, (_, i) => ({
    version: `v${i + 1}`,
    ...(i ? { parent: `v${i}` } : {}),
    createdAt: now - (6 - i) * 3_600_000,
    kind: i ? 'online' : 'prior',
    training: { count: 4000 + i, description: i ? `v${i} + outcome of dep-${i} (rollback, reward 1.00)` : 'simulated incidents (10 families)' },
    metrics: i ? { reward: [1, 0.4, 1, -0.5, 1][i - 1]!, ope_dr: 0.6 + i * 0.03, ope_n: 10 * i } : { accuracy: 0.86 },
  }));
  app.get('/api/policy/versions', async () => ({ active: activePolicy, versions: policy, history: policy.map((v) => [v.createdAt, v.version, 'promoted']) }));
  app.get<{ Params: { v: string } }>('/api/policy/versions/:v', async (req, reply) => {
    const i = policy.findIndex((v) => v.version === req.params.v);
    if (i < 0) return reply.code(404).send({ error: 'no such version' });
    return { meta: policy[i], active: policy[i]!.version === activePolicy, samples: { continue: 60 + i, rollback: 25 + i * 3, scale_up: 10, escalate: 5 } };
  });
  app.post<{ Body: { version?: string } }>('/api/policy/rollback', async (req, reply) => {
    if (!policy.some((v) => v.version === req.body?.version)) return reply.code(404).send({ error: 'no such version' });
    const prev = activePolicy;
    activePolicy = req.body!.version!;
    append({ deploymentId: null, type: 'policy.updated', at: Date.now(), actor: 'user:test', payload: { action: 'rollback', from: prev, to: activePolicy } });
    return { active: activePolicy, previous: prev };
  });
  app.get('/api/audit/verify', async () => ({ ok: true, checked: events.length }));
  app.post<{ Params: { id: string; verdict: string }; Body: { reason?: string } }>('/api/decisions/:id/:verdict', async (req, reply) => {
    for (const d of details.values()) {
      const dec = d.decisions.find((x) => x.id === req.params.id);
      if (!dec) continue;
      if (dec.approval !== 'pending') return reply.code(409).send({ error: 'decision is not pending' });
      if (!req.body?.reason) return reply.code(400).send({ error: 'reason is required', field: 'reason' });
      const ok = req.params.verdict === 'approve';
      dec.approval = ok ? 'approved' : 'rejected';
      setStatus(d, ok ? 'rolled_back' : 'watching');
      append({ deploymentId: d.deployment.id, type: ok ? 'action.approved' : 'action.rejected', at: Date.now(), actor: 'user:test', payload: { reason: req.body.reason, status: d.deployment.status } });
      return { ok: true };
    }
    return reply.code(404).send({ error: 'decision not found' });
  });
  app.get('/api/events', (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (ev: TimelineEvent) => reply.raw.write(`id: ${ev.seq}\nevent: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
    reply.raw.write(': hello\n\n');
    clients.add(send);
    req.raw.on('close', () => clients.delete(send));
  });

  app.post<{ Body: { service: string; environment?: string; version: string } }>('/api/deployments', async (req, reply) => {
    const b = req.body;
    const id = badDeploy(3000, b);
    return reply.code(201).send({ id, created: true, deployment: details.get(id)!.deployment });
  });

  function badDeploy(ms = 3000, spec?: { service: string; environment?: string; version: string }): string {
    const d = make(next++, Date.now(), 'watching');
    if (spec) Object.assign(d.deployment, { service: spec.service, environment: spec.environment ?? 'production', version: spec.version });
    const hold = d.deployment.environment === 'staging';
    d.summary = undefined;
    d.analysis = undefined;
    const full = make(next - 1, d.deployment.at, 'rolled_back');
    details.set(d.deployment.id, d);
    const id = d.deployment.id;
    append({ deploymentId: id, type: 'deployment.received', at: Date.now(), actor: 'system', payload: { deployment: d.deployment } });
    setTimeout(() => {
      Object.assign(d, { summary: full.summary, analysis: full.analysis, decisions: full.decisions });
      if (hold) {
        full.decisions[0] = { ...full.decisions[0]!, guard: { mode: 'await_approval', reason: 'staging requires approval' }, approval: 'pending' };
        setStatus(d, 'awaiting_approval');
      }
      append({ deploymentId: id, type: 'decision.made', at: Date.now(), actor: 'policy:v3', payload: { ...full.decisions[0] } });
    }, ms / 2);
    if (!hold) setTimeout(() => {
      setStatus(d, 'rolled_back');
      d.actions = [{ id: 'a1', decisionId: full.decisions[0]!.id, action: 'rollback', requestedAt: Date.now() - 500, finishedAt: Date.now(), status: 'executed', actuator: 'simulated', detail: 'rolled back to previous version' }];
      d.outcome = { recovered: true, action: 'rollback', detail: 'error rate back to 0.4%', reward: 1 };
      append({ deploymentId: id, type: 'action.executed', at: Date.now(), actor: 'system', payload: { action: 'rollback', status: 'rolled_back' } });
    }, ms);
    return id;
  }

  const addr = await app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  return { url: addr, details, badDeploy, close: () => app.close() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const api = await startFakeApi({ rows: Number(process.argv[2] ?? 50), port: Number(process.argv[3] ?? 0) });
  console.log(`fake commander API at ${api.url}`);
  setInterval(() => api.badDeploy(4000), 10_000);
}
