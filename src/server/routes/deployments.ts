// Deployment intake (generic JSON, and the concept's Kestra-style path) and the read routes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DeploymentListResponse } from '../../core/api.js';
import type { DeploymentStatus, SignalBundle } from '../../core/types.js';
import { parseGenericDeploy } from '../../intake/generic.js';
import { dict } from '../../core/own.js';
import { deriveState } from '../../loop/state.js';
import type { ServerDeps } from '../app.js';
import { actorOf } from '../auth.js';
import { detail } from '../views.js';

const STATUSES: [DeploymentStatus, ...DeploymentStatus[]] = ['watching', 'awaiting_approval', 'acting', 'verifying', 'healthy', 'rolled_back', 'scaled_up', 'escalated', 'action_failed', 'action_unknown', 'not_recovered', 'cancelled'];

const listQuery = z.object({
  service: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'service filter: lowercase letters, digits and -' }).optional(),
  environment: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { error: 'environment filter: lowercase letters, digits and -' }).optional(),
  status: z.enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` }).optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1).max(500, { error: 'limit must be 1..500' }).default(100),
  before: z.coerce.number({ error: 'before must be epoch ms' }).int().positive().optional(),
});

const ID_RE = /^[A-Za-z0-9_-]{1,80}$/;

export function registerDeploymentRoutes(app: FastifyInstance, deps: ServerDeps, limit: object): void {
  const receive = (concept: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers['idempotency-key'];
    const idempotencyKey = Array.isArray(header) ? header[0] : header;
    const now = deps.clock.now();
    let body = req.body;
    const empty = body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
    if (empty && concept) {
      if (!deps.nextDemoDeploy) return reply.code(400).send({ error: 'body required: {"service": ..., "version": ...} (no demo world to pick the next version)' });
      body = deps.nextDemoDeploy();
      delete (body as { at?: number }).at;
    }
    const parsed = parseGenericDeploy(body, { now, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}), ...(deps.defaultEnvironment ? { defaultEnvironment: deps.defaultEnvironment } : {}) });
    if (!parsed.ok) return reply.code(400).send({ error: parsed.error, ...(parsed.field ? { field: parsed.field } : {}) });
    const source = concept ? (empty ? 'demo' : 'webhook') : 'api';
    const { deployment, created } = await deps.intake.receive(parsed.spec, { source, idempotencyKey: parsed.idempotencyKey, actor: actorOf(req) });
    if (created) deps.metrics.deploymentsReceived.inc({ source });
    return reply.code(created ? 201 : 200).send({ id: deployment.id, created, deployment, links: { self: `/api/deployments/${deployment.id}` } });
  };
  app.post('/api/v1/executions/webhook/devops/deploy', { config: limit }, receive(true));
  // Kestra's webhook URLs carry a key segment (/webhook/{namespace}/{flowId}/{key}); accept it too.
  app.post('/api/v1/executions/webhook/devops/deploy/:key', { config: limit }, receive(true));
  app.post('/api/deployments', { config: limit }, receive(false));

  app.get('/api/deployments', async (req, reply) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) {
      const i = q.error.issues[0];
      return reply.code(400).send({ error: i.message, field: i.path.join('.') });
    }
    // one indexed query: each row carries its summary, kept by the store as events are appended
    return { deployments: await deps.store.listDeploymentItems(q.data) } satisfies DeploymentListResponse;
  });

  app.get<{ Params: { id: string }; Querystring: { series?: string } }>('/api/deployments/:id', async (req, reply) => {
    const { id } = req.params;
    if (!ID_RE.test(id)) return reply.code(400).send({ error: 'malformed deployment id', field: 'id' });
    const d = await deps.store.getDeployment(id);
    if (!d) return reply.code(404).send({ error: `no deployment ${id}` });
    const events = await deps.store.events(id);
    const bundle = req.query.series === '0' ? undefined : await seriesBundle(deps, d, events);
    return detail(d, events, bundle);
  });
}

/** Metric series around the deploy for charts: the watched window, up to the last tick. */
async function seriesBundle(deps: ServerDeps, d: Parameters<typeof detail>[0], events: Parameters<typeof detail>[1]): Promise<SignalBundle | undefined> {
  const s = deriveState(events);
  const timing = s.timing ?? deps.timing;
  const lastCollect = [...events].reverse().find((e) => e.type === 'signals.collected');
  const to = typeof lastCollect?.payload.to === 'number' ? lastCollect.payload.to : Math.min(deps.clock.now(), d.at);
  const from = d.at - Math.min(timing.baselineSeconds, 1800) * 1000;
  // metric names come from the sources: no prototype, so 'constructor' is a series like any other
  const out: SignalBundle = { metrics: dict(), logs: [], spans: [], limits: {}, problems: [] };
  for (const src of deps.sources) {
    try {
      const b = await Promise.race([
        src.collect({ deployment: d, from, to, stepSeconds: timing.stepSeconds }),
        new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 3000).unref()),
      ]);
      for (const [k, v] of Object.entries(b.metrics)) if (v?.length && !out.metrics[k]) out.metrics[k] = v;
      if (b.baselineMetrics) out.baselineMetrics = { ...b.baselineMetrics, ...(out.baselineMetrics ?? {}) };
    } catch {
      // charts are a convenience: a source that cannot answer now just leaves its series out
    }
  }
  return Object.keys(out.metrics).length ? out : undefined;
}
