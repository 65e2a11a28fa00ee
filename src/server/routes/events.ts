// GET /api/events: the live timeline as Server-Sent Events (`id:` = seq, `event:` = type,
// `data:` = the TimelineEvent JSON). Each client has a seq cursor and reads from the store on
// every "appended" notification, so nothing is lost or reordered, and `Last-Event-ID` (or
// ?lastEventId=) replays what a reconnecting client missed.
//
// Bounded: the store is the buffer, so a client is only written to while its unread bytes stay
// under `maxBufferedBytes`; past that the pump waits for the client to read. A client that
// reads nothing for `stallSeconds` while it is behind is disconnected (its browser reconnects
// with Last-Event-ID and resumes where it stopped). Streams are capped in all and per address.
// HEAD answers at once with the stream's headers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { ServerDeps } from '../app.js';
import { findHeadSeq } from '../../loop/bus.js';

export interface EventStreamOptions {
  /** open streams in all; beyond it a new one gets 503 */
  maxClients: number;
  /** open streams from one address; beyond it a new one gets 429 */
  maxClientsPerIp: number;
  /** unread bytes one client may have queued before the pump waits for it */
  maxBufferedBytes: number;
  /** how long a client that is behind may read nothing before it is disconnected */
  stallSeconds: number;
  /** comment line sent when idle, so proxies keep the connection */
  heartbeatMs: number;
}

export const DEFAULT_EVENT_STREAM: EventStreamOptions = { maxClients: 1000, maxClientsPerIp: 200, maxBufferedBytes: 1_048_576, stallSeconds: 30, heartbeatMs: 15_000 };

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' };
const PAGE = 200;

export function registerEventRoutes(app: FastifyInstance, deps: ServerDeps, options: Partial<EventStreamOptions> = {}): void {
  const opts = { ...DEFAULT_EVENT_STREAM, ...options };
  // Streams never end on their own; close them when the server closes so shutdown is prompt.
  const open = new Set<() => void>();
  const perIp = new Map<string, number>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get<{ Querystring: { lastEventId?: string; deploymentId?: string } }>('/api/events', async (req, reply) => {
    const raw = (req.headers['last-event-id'] as string | undefined) ?? req.query.lastEventId;
    let cursor: number | undefined;
    if (raw !== undefined && raw !== '') {
      cursor = Number(raw);
      if (!Number.isSafeInteger(cursor) || cursor < 0) return reply.code(400).send({ error: 'Last-Event-ID must be a seq number', field: 'Last-Event-ID' });
    }
    const deploymentId = req.query.deploymentId;
    if (deploymentId !== undefined && !/^[A-Za-z0-9_-]{1,80}$/.test(deploymentId)) return reply.code(400).send({ error: 'malformed deploymentId', field: 'deploymentId' });
    if (req.method === 'HEAD') return reply.code(200).headers(SSE_HEADERS).send();

    const ip = req.ip;
    if (open.size >= opts.maxClients) return refuse(reply, 503, `the live stream has ${open.size} clients, its limit: retry later`);
    if ((perIp.get(ip) ?? 0) >= opts.maxClientsPerIp) return refuse(reply, 429, `${opts.maxClientsPerIp} live stream connections from this address already: close one first`);
    cursor ??= deps.bus.lastSeq || (await findHeadSeq(deps.store));

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, SSE_HEADERS);
    res.write(`retry: 2000\n: connected at seq ${cursor}\n\n`);
    deps.metrics.sseClients.inc();
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    streamTo(req, res, cursor, deploymentId);
  });

  function refuse(reply: FastifyReply, status: 429 | 503, error: string): FastifyReply {
    deps.metrics.sseRefused.inc({ status: String(status) });
    return reply.code(status).header('retry-after', '5').send({ error });
  }

  function streamTo(req: FastifyRequest, res: ServerResponse, start: number, deploymentId: string | undefined): void {
    let cursor = start;
    let busy = false;
    let again = false;
    let closed = false;
    const stallMs = opts.stallSeconds * 1000;

    /** Resolves true once the client has read its queue, false after stallMs or on close. */
    const drained = (): Promise<boolean> =>
      new Promise((resolve) => {
        const done = (ok: boolean): void => {
          clearTimeout(timer);
          res.off('drain', onDrain);
          res.off('close', onClose);
          resolve(ok);
        };
        const onDrain = (): void => done(true);
        const onClose = (): void => done(false);
        const timer = setTimeout(() => done(false), stallMs);
        res.on('drain', onDrain);
        res.on('close', onClose);
      });

    /** Writes one frame; false when the stream is over (closed, or the client fell behind). */
    const send = async (frame: string): Promise<boolean> => {
      res.write(frame);
      if (res.writableLength <= opts.maxBufferedBytes) return true;
      const unread = res.writableLength;
      if (await drained()) return !closed;
      if (!closed) {
        deps.metrics.sseDisconnected.inc({ reason: 'fell_behind' });
        deps.log?.(`live stream: client ${req.ip} fell behind (${unread} bytes unread for ${opts.stallSeconds}s at seq ${cursor}); disconnected, it can resume with Last-Event-ID`);
        close();
        res.destroy();
      }
      return false;
    };

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
            const page = await deps.store.audit({ afterSeq: cursor, limit: PAGE });
            if (page.length === 0 || closed) break;
            for (const e of page) {
              if (deploymentId && e.deploymentId !== deploymentId) {
                cursor = e.seq;
                continue;
              }
              if (!(await send(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`))) return;
              cursor = e.seq;
            }
            if (page.length < PAGE) break;
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
      if (busy) return; // waiting for the client to read: nothing more goes its way
      res.write(': keep-alive\n\n');
      void pump();
    }, opts.heartbeatMs);
    heartbeat.unref();
    function close(): void {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      deps.bus.off('appended', onAppended);
      deps.metrics.sseClients.dec();
      const n = (perIp.get(req.ip) ?? 1) - 1;
      if (n > 0) perIp.set(req.ip, n);
      else perIp.delete(req.ip);
      open.delete(end);
    }
    function end(): void {
      close();
      res.end();
    }
    open.add(end);
    res.on('close', close);
    res.on('error', close);
    void pump();
  }
}
