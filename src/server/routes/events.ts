// GET /api/events: the live timeline as Server-Sent Events (`id:` = seq, `event:` = type,
// `data:` = the TimelineEvent JSON). Each client has a seq cursor and reads from the store on
// every "appended" notification, so nothing is lost or reordered, and `Last-Event-ID` (or
// ?lastEventId=) replays what a reconnecting client missed.
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../app.js';
import { findHeadSeq } from '../../loop/bus.js';

const HEARTBEAT_MS = 15_000;

export function registerEventRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // Streams never end on their own; close them when the server closes so shutdown is prompt.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  app.get<{ Querystring: { lastEventId?: string; deploymentId?: string } }>('/api/events', async (req, reply) => {
    const raw = (req.headers['last-event-id'] as string | undefined) ?? req.query.lastEventId;
    let cursor: number;
    if (raw !== undefined && raw !== '') {
      cursor = Number(raw);
      if (!Number.isInteger(cursor) || cursor < 0) return reply.code(400).send({ error: 'Last-Event-ID must be a seq number', field: 'Last-Event-ID' });
    } else {
      cursor = deps.bus.lastSeq || (await findHeadSeq(deps.store));
    }
    const deploymentId = req.query.deploymentId;
    if (deploymentId !== undefined && !/^[A-Za-z0-9_-]{1,80}$/.test(deploymentId)) return reply.code(400).send({ error: 'malformed deploymentId', field: 'deploymentId' });

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\n: connected at seq ${cursor}\n\n`);
    deps.metrics.sseClients.inc();

    let busy = false;
    let again = false;
    let closed = false;
    const pump = async (): Promise<void> => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          for (;;) {
            const page = await deps.store.audit({ afterSeq: cursor, limit: 500 });
            if (page.length === 0 || closed) break;
            for (const e of page) {
              cursor = e.seq;
              if (deploymentId && e.deploymentId !== deploymentId) continue;
              res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
            }
            if (page.length < 500) break;
          }
        } while (again && !closed);
      } catch {
        // the store hiccupped: the next notification or heartbeat tries again from the cursor
      } finally {
        busy = false;
      }
    };
    const onAppended = (): void => void pump();
    deps.bus.on('appended', onAppended);
    const heartbeat = setInterval(() => {
      res.write(': keep-alive\n\n');
      void pump();
    }, HEARTBEAT_MS);
    const close = (): void => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      deps.bus.off('appended', onAppended);
      deps.metrics.sseClients.dec();
    };
    const end = (): void => {
      close();
      res.end();
    };
    open.add(end);
    req.raw.on('close', () => {
      open.delete(end);
      close();
    });
    res.on('error', close);
    await pump();
  });
}
