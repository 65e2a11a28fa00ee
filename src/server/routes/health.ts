import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../app.js';

export function registerHealthRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/healthz', async () => ({ ok: true }));
  // Ready = the store answers and the loop has resumed its unfinished watches.
  app.get('/readyz', async (_req, reply) => {
    try {
      await deps.store.getState('readyz');
    } catch (e) {
      return reply.code(503).send({ ok: false, reason: `store unavailable: ${e instanceof Error ? e.message : String(e)}` });
    }
    if (!deps.ready()) return reply.code(503).send({ ok: false, reason: 'resuming watches' });
    return { ok: true, watching: deps.scheduler.active().length };
  });
  app.get('/metrics', async (_req, reply) => {
    deps.metrics.watchesActive.set(deps.scheduler.active().length);
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
