// The scale-out Store on PostgreSQL (node-postgres). Several worker processes may append at
// once: every append locks the single `chain_head` row (SELECT … FOR UPDATE) inside its
// transaction, so appends are serialized across all processes and the chain never forks,
// while reads stay concurrent. `seq` comes from the head row, not a SEQUENCE, because a
// sequence leaves gaps when a transaction rolls back and the audit order must be gap-free.
import pg from 'pg';
import type { AuditVerification, CreateDeploymentResult, DeploymentFilter, Store } from '../core/store.js';
import type { NewTimelineEvent, TimelineEvent } from '../core/timeline.js';
import type { Deployment, DeploymentSpec, DeploymentStatus } from '../core/types.js';
import { ChainVerifier, chainEvent, validateNewEvent } from './chain.js';
import { MIGRATIONS, MIGRATIONS_TABLE_DDL, migrationSql } from './migrations.js';
import {
  DEPLOYMENT_INSERT_COLUMNS,
  EVENT_INSERT_COLUMNS,
  UNFINISHED_SQL,
  type AuditQuery,
  type DeploymentRow,
  type EventRow,
  auditQuery,
  deploymentValues,
  eventValues,
  listDeploymentsQuery,
  pgPh,
  rowToDeployment,
  rowToEvent,
} from './rows.js';

export interface PostgresStoreOptions {
  /** schema to keep the tables in (created if missing); also accepted as `?schema=` in the url */
  schema?: string;
  /** pool size per process */
  max?: number;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const VERIFY_BATCH = 2_000;

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
  return new PostgresStore(pool);
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
      await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
  });
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

class PostgresStore implements Store {
  private closed = false;

  constructor(private readonly pool: pg.Pool) {}

  async createDeployment(
    spec: DeploymentSpec,
    meta: { id: string; source: string; receivedAt: number; idempotencyKey: string },
  ): Promise<CreateDeploymentResult> {
    // ON CONFLICT waits for a concurrent insert of the same key, so exactly one wins.
    const ins = await this.pool.query<DeploymentRow>(
      `INSERT INTO deployments (${DEPLOYMENT_INSERT_COLUMNS}) VALUES (${placeholders(13)})
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      deploymentValues(spec, meta),
    );
    if (ins.rows[0]) return { deployment: rowToDeployment(ins.rows[0]), created: true };
    const existing = await this.pool.query<DeploymentRow>('SELECT * FROM deployments WHERE idempotency_key = $1', [
      meta.idempotencyKey,
    ]);
    return { deployment: rowToDeployment(existing.rows[0]), created: false };
  }

  async getDeployment(id: string): Promise<Deployment | undefined> {
    const { rows } = await this.pool.query<DeploymentRow>('SELECT * FROM deployments WHERE id = $1', [id]);
    return rows[0] ? rowToDeployment(rows[0]) : undefined;
  }

  async listDeployments(filter: DeploymentFilter = {}): Promise<Deployment[]> {
    const q = listDeploymentsQuery(filter, pgPh);
    return (await this.pool.query<DeploymentRow>(q.sql, q.args)).rows.map(rowToDeployment);
  }

  async setStatus(id: string, status: DeploymentStatus): Promise<void> {
    const r = await this.pool.query('UPDATE deployments SET status = $1 WHERE id = $2', [status, id]);
    if (r.rowCount === 0) throw new Error(`unknown deployment: ${id}`);
  }

  async append(event: NewTimelineEvent): Promise<TimelineEvent> {
    validateNewEvent(event);
    if (event.dedupeKey !== undefined) {
      const dup = await this.byDedupeKey(this.pool, event.dedupeKey);
      if (dup) return dup; // fast path, no lock
    }
    // Three round trips, the head row locked from the first to the last: (BEGIN + lock the
    // head), (insert + advance head + mark completed, one statement), COMMIT. A concurrent
    // append with the same dedupeKey shows up as a unique violation: return its event.
    const c = await this.pool.connect();
    try {
      const [, locked] = (await c.query(
        'BEGIN; SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE',
      )) as unknown as [pg.QueryResult, pg.QueryResult<{ seq: string; hash: string }>];
      const head = locked.rows[0];
      const e = chainEvent(event, Number(head.seq) + 1, head.hash);
      await c.query(
        `WITH ins AS (INSERT INTO events (${EVENT_INSERT_COLUMNS}) VALUES (${placeholders(9)})),
              adv AS (UPDATE chain_head SET seq = $1, hash = $9 WHERE id = 1)
         UPDATE deployments SET completed_at = $4 WHERE $10::boolean AND id = $2 AND completed_at IS NULL`,
        [...eventValues(e), e.type === 'watch.completed' && e.deploymentId !== null],
      );
      await c.query('COMMIT');
      return e;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      const pgErr = err as { code?: string; constraint?: string };
      if (pgErr.code === '23505' && pgErr.constraint === 'events_dedupe_key_key' && event.dedupeKey !== undefined) {
        // on this connection: waiting for another pooled one while holding this could deadlock the pool
        const dup = await this.byDedupeKey(c, event.dedupeKey);
        if (dup) return dup;
      }
      if (pgErr.code === '23503') {
        throw new Error(`cannot append ${event.type}: unknown deployment ${String(event.deploymentId)}`);
      }
      throw err;
    } finally {
      c.release();
    }
  }

  private async byDedupeKey(q: pg.Pool | pg.PoolClient, key: string): Promise<TimelineEvent | undefined> {
    const { rows } = await q.query<EventRow>('SELECT * FROM events WHERE dedupe_key = $1', [key]);
    return rows[0] ? rowToEvent(rows[0]) : undefined;
  }

  async events(deploymentId: string): Promise<TimelineEvent[]> {
    const { rows } = await this.pool.query<EventRow>('SELECT * FROM events WHERE deployment_id = $1 ORDER BY seq', [
      deploymentId,
    ]);
    return rows.map(rowToEvent);
  }

  async audit(opts: AuditQuery = {}): Promise<TimelineEvent[]> {
    const q = auditQuery(opts, pgPh);
    return (await this.pool.query<EventRow>(q.sql, q.args)).rows.map(rowToEvent);
  }

  async headSeq(): Promise<number> {
    return Number((await this.pool.query<{ seq: string }>('SELECT seq FROM chain_head WHERE id = 1')).rows[0].seq);
  }

  /** One REPEATABLE READ snapshot, read in batches so a long trail never sits in memory. */
  async verifyAudit(): Promise<AuditVerification> {
    return inTransaction(
      this.pool,
      async (c) => {
        const v = new ChainVerifier();
        let after = 0;
        for (;;) {
          const { rows } = await c.query<EventRow>('SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [
            after,
            VERIFY_BATCH,
          ]);
          let going = true;
          for (const r of rows) if (!(going = v.push(rowToEvent(r)))) break;
          if (!going || rows.length < VERIFY_BATCH) break;
          after = Number(rows[rows.length - 1].seq);
        }
        const head = (await c.query<{ seq: string; hash: string }>('SELECT seq, hash FROM chain_head WHERE id = 1')).rows[0];
        return v.finish({ seq: Number(head.seq), hash: head.hash });
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
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
    await this.pool.end();
  }
}

function placeholders(n: number): string {
  return Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');
}
