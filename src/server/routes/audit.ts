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
  /** free-text search over the event's JSON */
  q: z.string().max(200).optional(),
});

export function registerAuditRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/api/audit', async (req, reply) => {
    const p = query.safeParse(req.query);
    if (!p.success) {
      const i = p.error.issues[0];
      return reply.code(400).send({ error: i.message, field: i.path.join('.') });
    }
    const { afterSeq, limit, deploymentId, type, actor, q } = p.data;
    const needle = q?.toLowerCase();
    // Text and actor filters run here, paging through the store so `limit` still holds.
    const events = [];
    let cursor = afterSeq;
    for (let pages = 0; events.length < limit && pages < 50; pages++) {
      const page = await deps.store.audit({ afterSeq: cursor, limit: needle || actor ? 1000 : limit, ...(deploymentId ? { deploymentId } : {}), ...(type ? { type } : {}) });
      if (page.length === 0) break;
      cursor = page[page.length - 1].seq;
      for (const e of page) {
        if (actor && e.actor !== actor) continue;
        if (needle && !JSON.stringify(e).toLowerCase().includes(needle)) continue;
        events.push(e);
        if (events.length >= limit) break;
      }
      if (!needle && !actor) break;
    }
    const next = events.length ? events[events.length - 1].seq : cursor;
    return { events, nextAfterSeq: next };
  });
  app.get('/api/audit/verify', async () => deps.store.verifyAudit());
}
