// The audit trail (every timeline event in seq order, hash-chained) and its verification.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TIMELINE_EVENT_TYPES } from '../../core/timeline.js';
import type { ServerDeps } from '../app.js';

const query = z.object({
  afterSeq: z.coerce.number({ error: 'afterSeq must be a number' }).int().min(0).default(0),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1).max(1000, { error: 'limit must be 1..1000' }).default(200),
  deploymentId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, { error: 'malformed deploymentId' }).optional(),
  type: z.enum(TIMELINE_EVENT_TYPES, { error: 'unknown event type' }).optional(),
  actor: z.string().max(200).optional(),
  /** text in the event's type, actor, deployment id or payload (case-insensitive) */
  q: z.string().max(200).optional(),
});

const verifyQuery = z.object({
  full: z.enum(['0', '1', 'true', 'false'], { error: 'full must be 1 or 0' }).optional(),
});

export function registerAuditRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/api/audit', async (req, reply) => {
    const p = query.safeParse(req.query);
    if (!p.success) {
      const i = p.error.issues[0];
      return reply.code(400).send({ error: i.message, field: i.path.join('.') });
    }
    const { afterSeq, limit, deploymentId, type, actor, q } = p.data;
    // every filter, the text included, is answered by the store from an index
    const events = await deps.store.audit({ afterSeq, limit, ...(deploymentId ? { deploymentId } : {}), ...(type ? { type } : {}), ...(actor ? { actor } : {}), ...(q ? { q } : {}) });
    return { events, nextAfterSeq: events.length ? events[events.length - 1].seq : afterSeq };
  });
  // from the last checkpoint by default; ?full=1 walks the whole chain
  app.get('/api/audit/verify', async (req, reply) => {
    const p = verifyQuery.safeParse(req.query);
    if (!p.success) return reply.code(400).send({ error: p.error.issues[0].message, field: 'full' });
    return deps.store.verifyAudit({ full: p.data.full === '1' || p.data.full === 'true' });
  });
}
