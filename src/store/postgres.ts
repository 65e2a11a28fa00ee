// The scale-out Store on PostgreSQL (node-postgres). Several worker processes may append at
// once: every append locks the single `chain_head` row (SELECT … FOR UPDATE) inside its
// transaction, so appends are serialized across all processes and the chain never forks,
// while reads stay concurrent. `seq` comes from the head row, not a SEQUENCE, because a
// sequence leaves gaps when a transaction rolls back and the audit order must be gap-free.
import pg from 'pg';
import type { DeploymentListItem } from '../core/api.js';
import { emptyFold, foldEvent, foldStatus, parseFold, type SummaryFold } from '../core/deployment-summary.js';
import type { AuditFilter, AuditVerification, CreateDeploymentMeta, CreateDeploymentResult, DeploymentFilter, Store } from '../core/store.js';
import type { NewTimelineEvent, TimelineEvent } from '../core/timeline.js';
import type { Deployment, DeploymentSpec, DeploymentStatus } from '../core/types.js';
import { chainEvent, validateNewEvent, verifyChain, type ChainReader } from './chain.js';
import { BACKFILL_PAYLOAD_SQL, MIGRATIONS, MIGRATIONS_TABLE_DDL, SEARCH_TEXT_SQL, migrationSql } from './migrations.js';
import {
  DEPLOYMENT_INSERT_COLUMNS,
  EVENT_INSERT_COLUMNS,
  UNFINISHED_SQL,
  type DeploymentRow,
  type EventRow,
  auditQuery,
  deploymentValues,
  firstEventsOf,
  eventValues,
  listDeploymentsQuery,
  pgPh,
  rowToDeployment,
  rowToEvent,
  rowToListItem,
} from './rows.js';
import { WriteBatcher } from './write-batch.js';

export interface PostgresStoreOptions {
  /** schema to keep the tables in (created if missing); also accepted as `?schema=` in the url */
  schema?: string;
  /** pool size per process */
  max?: number;
  /** most writes committed together (default 256) */
  maxBatch?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export async function createPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const { connectionString, schema, options } = splitSchema(url, opts.schema);
  const pool = new pg.Pool({ connectionString, max: opts.max ?? 10, ...(options ? { options } : {}) });
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // that would crash the process. The pool drops the client and the next query reconnects.
  pool.on('error', () => undefined);
  try {
    await migratePostgres(pool, schema);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return new PostgresStore(pool, opts.maxBatch);
}

/** Take `schema` (and `options`, which pg would otherwise let override our search_path)
 *  out of the URL; the schema goes into the server options of every pooled connection. */
function splitSchema(
  url: string,
  explicit: string | undefined,
): { connectionString: string; schema?: string; options?: string } {
  let schema = explicit;
  let connectionString = url;
  let urlOptions: string | null = null;
  try {
    const u = new URL(url);
    const fromUrl = u.searchParams.get('schema');
    urlOptions = u.searchParams.get('options');
    u.searchParams.delete('schema');
    u.searchParams.delete('options');
    connectionString = u.toString();
    schema ??= fromUrl ?? undefined;
  } catch {
    // not a URL (e.g. a libpq keyword string): pass it to pg unchanged
  }
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  const options = [urlOptions, schema ? `-c search_path=${schema}` : null].filter(Boolean).join(' ');
  return { connectionString, schema, ...(options ? { options } : {}) };
}

/** Create the schema and apply pending migrations under a transaction-scoped advisory lock,
 *  so workers starting together do each exactly once (even CREATE … IF NOT EXISTS races in
 *  PostgreSQL without it). */
export async function migratePostgres(pool: pg.Pool, schema?: string): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query(`SELECT pg_advisory_xact_lock(hashtext('devops-commander:migrate:' || $1))`, [schema ?? '']);
    if (schema) await c.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await c.query(MIGRATIONS_TABLE_DDL);
    const { rows } = await c.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new Error(`database schema version ${newest} is newer than this build understands (${known})`);
    }
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await c.query(migrationSql(m, 'postgres'));
      if (m.backfill === 'deployment-summaries') await backfillSummaries(c);
      await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
    await addSearchIndex(c);
  });
}

/**
 * The audit search's trigram index (pg_trgm), when the extension is there or this role may
 * create it; without it `q` still works, by scanning. Tried at every start (cheap when done),
 * in a savepoint so a refusal leaves the migration's transaction intact.
 */
async function addSearchIndex(c: pg.PoolClient): Promise<void> {
  const { rows } = await c.query<{ schema: string | null; has: boolean }>(
    `SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm') AS schema,
            EXISTS (SELECT 1 FROM pg_class WHERE relname = 'events_search' AND relnamespace = to_regnamespace(current_schema())::oid) AS has`,
  );
  if (rows[0].has) return;
  await c.query('SAVEPOINT search_index');
  try {
    let schema = rows[0].schema;
    if (!schema) {
      // in public, not this store's schema: an extension lives once per database
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public');
      schema = 'public';
    }
    await c.query(`CREATE INDEX events_search ON events USING gin ((${SEARCH_TEXT_SQL}) "${schema}".gin_trgm_ops)`);
    await c.query('RELEASE SAVEPOINT search_index');
  } catch {
    await c.query('ROLLBACK TO SAVEPOINT search_index');
  }
}

/** Fold every deployment's timeline into its summary (databases from before migration 3). */
async function backfillSummaries(c: pg.PoolClient): Promise<void> {
  const folds = new Map<string, SummaryFold>();
  // in pages by (deployment_id, seq) so a long history never sits in memory at once
  let after: [string, number] = ['', 0];
  for (;;) {
    const { rows } = await c.query<{ deployment_id: string; seq: string; type: TimelineEvent['type']; at: string; payload: string | null }>(
      `SELECT deployment_id, seq, type, at, ${BACKFILL_PAYLOAD_SQL} AS payload FROM events
       WHERE deployment_id IS NOT NULL AND (deployment_id, seq) > ($1, $2) ORDER BY deployment_id, seq LIMIT 5000`,
      after,
    );
    for (const r of rows) {
      let f = folds.get(r.deployment_id);
      if (!f) folds.set(r.deployment_id, (f = emptyFold()));
      foldEvent(f, { type: r.type, at: Number(r.at), payload: r.payload === null ? {} : (JSON.parse(r.payload) as Record<string, unknown>) });
    }
    if (rows.length < 5000) break;
    const last = rows[rows.length - 1];
    after = [last.deployment_id, Number(last.seq)];
  }
  const ids = [...folds.keys()];
  for (let i = 0; i < ids.length; i += 1000) {
    const slice = ids.slice(i, i + 1000);
    await c.query(
      `UPDATE deployments d SET summary = u.summary, status = coalesce(u.status, d.status)
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, summary, status) WHERE d.id = u.id`,
      [slice, slice.map((id) => JSON.stringify(folds.get(id))), slice.map((id) => foldStatus(folds.get(id)!) ?? null)],
    );
  }
  await c.query('UPDATE deployments SET summary = $1 WHERE summary IS NULL', [JSON.stringify(emptyFold())]);
}

async function inTransaction<T>(
  pool: pg.Pool,
  fn: (c: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query(begin);
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** A write the batcher commits together with others. */
type WriteOp =
  | { kind: 'create'; spec: DeploymentSpec; meta: CreateDeploymentMeta }
  | { kind: 'append'; event: NewTimelineEvent };
type WriteResult = CreateDeploymentResult | TimelineEvent;

const DEPLOYMENT_UNNEST_TYPES = ['text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'text'];
const EVENT_UNNEST_TYPES = ['bigint', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text'];

/** Rows as column arrays for `unnest($1::t[], …)`: one statement inserts the whole batch. */
function columns(rows: unknown[][], n: number): unknown[][] {
  return Array.from({ length: n }, (_, i) => rows.map((r) => r[i]));
}

function unnestOf(types: string[], first = 1): string {
  return `unnest(${types.map((t, i) => `$${first + i}::${t}[]`).join(', ')})`;
}

class PostgresStore implements Store {
  private closed = false;
  private readonly writes: WriteBatcher<WriteOp, WriteResult>;

  constructor(
    private readonly pool: pg.Pool,
    maxBatch?: number,
  ) {
    this.writes = new WriteBatcher<WriteOp, WriteResult>((ops) => this.runWrites(ops), { maxBatch });
  }

  /**
   * One transaction per batch, four round trips whatever its size: (BEGIN + lock the chain
   * head), (insert the new deployments), (the batch's dedupe keys already stored + the touched
   * deployments' summaries), (insert the events + advance the head + write the summaries),
   * COMMIT. The head row stays locked throughout, so appends from every process are serialized
   * and the chain never forks.
   */
  private async runWrites(ops: WriteOp[]): Promise<WriteResult[]> {
    for (const op of ops) if (op.kind === 'append') validateNewEvent(op.event);
    const c = await this.pool.connect();
    try {
      const [, locked] = (await c.query('BEGIN; SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE')) as unknown as [
        pg.QueryResult,
        pg.QueryResult<{ seq: string; hash: string }>,
      ];
      const head = { seq: Number(locked.rows[0].seq), hash: locked.rows[0].hash };
      const firstSeq = head.seq + 1;

      // deployments: insert the new ones, read back the ones a key already names
      const creates = ops.filter((o): o is Extract<WriteOp, { kind: 'create' }> => o.kind === 'create');
      const byIdemKey = new Map<string, DeploymentRow>();
      const createdIds = new Set<string>();
      if (creates.length) {
        // the first delivery of a key in the batch wins, as it would one at a time
        const firstOfKey = new Map<string, (typeof creates)[number]>();
        for (const o of creates) if (!firstOfKey.has(o.meta.idempotencyKey)) firstOfKey.set(o.meta.idempotencyKey, o);
        const fresh = [...firstOfKey.values()];
        const ins = await c.query<DeploymentRow>(
          `INSERT INTO deployments (${DEPLOYMENT_INSERT_COLUMNS}) SELECT * FROM ${unnestOf(DEPLOYMENT_UNNEST_TYPES)}
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
          columns(fresh.map((o) => deploymentValues(o.spec, o.meta)), DEPLOYMENT_UNNEST_TYPES.length),
        );
        for (const r of ins.rows) {
          byIdemKey.set(r.idempotency_key, r);
          createdIds.add(r.id);
        }
        const missing = fresh.filter((o) => !byIdemKey.has(o.meta.idempotencyKey)).map((o) => o.meta.idempotencyKey);
        if (missing.length) {
          const old = await c.query<DeploymentRow>('SELECT * FROM deployments WHERE idempotency_key = ANY($1::text[])', [missing]);
          for (const r of old.rows) byIdemKey.set(r.idempotency_key, r);
        }
      }

      // every event the batch may append, in order (a created deployment's first event included)
      const events: NewTimelineEvent[] = [];
      for (const op of ops) {
        if (op.kind === 'append') events.push(op.event);
        else if (createdIds.has(op.meta.id)) events.push(...firstEventsOf(op.meta));
      }
      const keys = [...new Set(events.map((e) => e.dedupeKey).filter((k): k is string => k !== undefined))];
      const ids = [...new Set(events.map((e) => e.deploymentId).filter((k): k is string => k !== null))];
      const known = await c.query<{ dups: EventRow[]; folds: Array<{ id: string; summary: string | null }> }>(
        `SELECT (SELECT coalesce(json_agg(e ORDER BY e.seq), '[]') FROM events e WHERE dedupe_key = ANY($1::text[])) AS dups,
                (SELECT coalesce(json_agg(json_build_object('id', id, 'summary', summary)), '[]') FROM deployments WHERE id = ANY($2::text[])) AS folds`,
        [keys, ids],
      );
      const byKey = new Map<string, TimelineEvent>(known.rows[0].dups.map((r) => [r.dedupe_key!, rowToEvent(r)]));
      const touched = new Map<string, { fold: SummaryFold; completedAt?: number }>(
        known.rows[0].folds.map((r) => [r.id, { fold: parseFold(r.summary) }]),
      );

      const fresh: TimelineEvent[] = [];
      const append = (event: NewTimelineEvent): TimelineEvent => {
        const seen = event.dedupeKey !== undefined ? byKey.get(event.dedupeKey) : undefined;
        if (seen) return seen;
        const t = event.deploymentId !== null ? touched.get(event.deploymentId) : undefined;
        if (event.deploymentId !== null && !t) throw new Error(`cannot append ${event.type}: unknown deployment ${event.deploymentId}`);
        const e = chainEvent(event, head.seq + 1, head.hash);
        head.seq = e.seq;
        head.hash = e.hash;
        fresh.push(e);
        if (e.dedupeKey !== undefined) byKey.set(e.dedupeKey, e);
        if (t) {
          foldEvent(t.fold, e);
          if (e.type === 'watch.completed') t.completedAt ??= e.at;
        }
        return e;
      };
      const results: WriteResult[] = ops.map((op) => {
        if (op.kind === 'append') return append(op.event);
        const row = byIdemKey.get(op.meta.idempotencyKey)!;
        const created = row.id === op.meta.id && createdIds.has(row.id);
        const appended = created ? firstEventsOf(op.meta).map(append) : [];
        return { deployment: rowToDeployment(row), created, ...(created && op.meta.firstEvent ? { event: appended[0] } : {}), ...(appended.length ? { events: appended } : {}) };
      });

      if (head.seq >= firstSeq) {
        const t = [...touched.entries()];
        const base = EVENT_UNNEST_TYPES.length;
        await c.query(
          `WITH ins AS (INSERT INTO events (${EVENT_INSERT_COLUMNS}) SELECT * FROM ${unnestOf(EVENT_UNNEST_TYPES)}),
                adv AS (UPDATE chain_head SET seq = $${base + 1}, hash = $${base + 2} WHERE id = 1)
           UPDATE deployments d SET summary = u.summary, status = coalesce(u.status, d.status), completed_at = coalesce(d.completed_at, u.completed_at)
           FROM unnest($${base + 3}::text[], $${base + 4}::text[], $${base + 5}::text[], $${base + 6}::bigint[]) AS u(id, summary, status, completed_at)
           WHERE d.id = u.id`,
          [
            ...columns(fresh.map(eventValues), base),
            head.seq,
            head.hash,
            t.map(([id]) => id),
            t.map(([, x]) => JSON.stringify(x.fold)),
            t.map(([, x]) => foldStatus(x.fold) ?? null),
            t.map(([, x]) => x.completedAt ?? null),
          ],
        );
      }
      await c.query('COMMIT');
      return results;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code === '23503') throw new Error(`cannot append: unknown deployment (${(err as Error).message})`);
      throw err;
    } finally {
      c.release();
    }
  }

  async createDeployment(spec: DeploymentSpec, meta: CreateDeploymentMeta): Promise<CreateDeploymentResult> {
    return (await this.writes.submit({ kind: 'create', spec, meta })) as CreateDeploymentResult;
  }

  async getDeployment(id: string): Promise<Deployment | undefined> {
    const { rows } = await this.pool.query<DeploymentRow>('SELECT * FROM deployments WHERE id = $1', [id]);
    return rows[0] ? rowToDeployment(rows[0]) : undefined;
  }

  async listDeployments(filter: DeploymentFilter = {}): Promise<Deployment[]> {
    const q = listDeploymentsQuery(filter, pgPh);
    return (await this.pool.query<DeploymentRow>(q.sql, q.args)).rows.map(rowToDeployment);
  }

  async listDeploymentItems(filter: DeploymentFilter = {}): Promise<DeploymentListItem[]> {
    const q = listDeploymentsQuery(filter, pgPh);
    return (await this.pool.query<DeploymentRow>(q.sql, q.args)).rows.map(rowToListItem);
  }

  async setStatus(id: string, status: DeploymentStatus): Promise<void> {
    const r = await this.pool.query(
      'WITH u AS (UPDATE deployments SET status = $1 WHERE id = $2 AND completed_at IS NULL AND status <> $1 RETURNING 1) SELECT EXISTS (SELECT 1 FROM deployments WHERE id = $2) AS known',
      [status, id],
    );
    if (!(r.rows[0] as { known: boolean }).known) throw new Error(`unknown deployment: ${id}`);
  }

  async append(event: NewTimelineEvent): Promise<TimelineEvent> {
    validateNewEvent(event);
    // a repeated dedupeKey is found inside the batch's transaction (one query for the whole
    // batch), so appends keep the order of the calls
    return (await this.writes.submit({ kind: 'append', event })) as TimelineEvent;
  }

  async events(deploymentId: string): Promise<TimelineEvent[]> {
    const { rows } = await this.pool.query<EventRow>('SELECT * FROM events WHERE deployment_id = $1 ORDER BY seq', [deploymentId]);
    return rows.map(rowToEvent);
  }

  async audit(opts: AuditFilter = {}): Promise<TimelineEvent[]> {
    const q = auditQuery(opts, pgPh);
    return (await this.pool.query<EventRow>(q.sql, q.args)).rows.map(rowToEvent);
  }

  async headSeq(): Promise<number> {
    return Number((await this.pool.query<{ seq: string }>('SELECT seq FROM chain_head WHERE id = 1')).rows[0].seq);
  }

  async verifyAudit(opts: { full?: boolean } = {}): Promise<AuditVerification> {
    const reader: ChainReader = {
      head: async () => {
        const r = (await this.pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM chain_head WHERE id = 1')).rows[0];
        return { seq: Number(r.seq), hash: r.hash };
      },
      checkpoint: async () => {
        const r = (await this.pool.query<{ seq: string; hash: string; swept_to: string }>('SELECT seq, hash, swept_to FROM audit_checkpoint WHERE id = 1')).rows[0];
        return r && { seq: Number(r.seq), hash: r.hash, sweptTo: Number(r.swept_to) };
      },
      range: async (after, to, limit) =>
        (await this.pool.query<EventRow>('SELECT * FROM events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3', [after, to, limit])).rows.map(rowToEvent),
    };
    const { result, checkpoint: cp } = await verifyChain(reader, opts.full === true);
    if (cp) {
      // never moves back: a slower verification finishing after a newer one keeps the newer
      await this.pool.query(
        `INSERT INTO audit_checkpoint (id, seq, hash, swept_to, verified_at) VALUES (1, $1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, swept_to = EXCLUDED.swept_to, verified_at = EXCLUDED.verified_at
         WHERE EXCLUDED.seq >= audit_checkpoint.seq`,
        [cp.seq, cp.hash, cp.sweptTo, Date.now()],
      );
    }
    return result;
  }

  async unfinishedDeployments(): Promise<Deployment[]> {
    return (await this.pool.query<DeploymentRow>(UNFINISHED_SQL)).rows.map(rowToDeployment);
  }

  async getState<T>(key: string): Promise<T | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM kv_state WHERE key = $1', [key]);
    return rows[0] ? (JSON.parse(rows[0].value) as T) : undefined;
  }

  async setState<T>(key: string, value: T): Promise<void> {
    if (value === undefined) {
      await this.pool.query('DELETE FROM kv_state WHERE key = $1', [key]);
      return;
    }
    await this.pool.query(
      'INSERT INTO kv_state (key, value, updated_at) VALUES ($1, $2, $3) ' +
        'ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at',
      [key, JSON.stringify(value), Date.now()],
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.drain();
    await this.pool.end();
  }
}
