// The embedded default Store: one SQLite file via better-sqlite3 (synchronous, so every
// method does its work in one transaction and returns an already-settled promise).
//
// Durability: WAL + synchronous=FULL. In WAL mode NORMAL already survives `kill -9` (a commit
// is in the OS page cache once it returns), but it may drop the last commits on power loss or
// an OS crash; the audit trail and "action requested before it runs" must not, and the write
// rate here (a handful of events per watch tick) makes the extra fsync per commit cheap.
// Pass { synchronous: 'NORMAL' } for throwaway data (tests, replay) where speed matters more.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditVerification, CreateDeploymentResult, DeploymentFilter, Store } from '../core/store.js';
import type { NewTimelineEvent, TimelineEvent } from '../core/timeline.js';
import type { Deployment, DeploymentSpec, DeploymentStatus } from '../core/types.js';
import { ChainVerifier, chainEvent } from './chain.js';
import { MIGRATIONS, MIGRATIONS_TABLE_DDL, migrationSql } from './migrations.js';
import {
  DEPLOYMENT_INSERT_COLUMNS,
  EVENT_INSERT_COLUMNS,
  UNFINISHED_SQL,
  type AuditQuery,
  type DeploymentRow,
  type EventRow,
  auditQuery,
  listDeploymentsQuery,
  sqlitePh,
  deploymentValues,
  eventValues,
  rowToDeployment,
  rowToEvent,
} from './rows.js';

export interface SqliteStoreOptions {
  synchronous?: 'NORMAL' | 'FULL';
  /** how long a writer waits for another process's write lock before failing */
  busyTimeoutMs?: number;
}

type Db = Database.Database;

/** Apply the migrations not yet recorded; each in its own IMMEDIATE transaction so two
 *  processes opening the same new file at once cannot both apply one. */
export function migrateSqlite(db: Db): number {
  db.exec(MIGRATIONS_TABLE_DDL);
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  const newest = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  if (newest > known) {
    throw new Error(`database schema version ${newest} is newer than this build understands (${known})`);
  }
  const applyOne = db.transaction((version: number) => {
    if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(version)) return;
    const m = MIGRATIONS.find((x) => x.version === version)!;
    db.exec(migrationSql(m, 'sqlite'));
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      m.version,
      m.name,
      Date.now(),
    );
  });
  for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) applyOne.immediate(m.version);
  return known;
}

export function createSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 10_000))}`);
  if (!inMemory) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  migrateSqlite(db);
  return new SqliteStore(db);
}

class SqliteStore implements Store {
  private closed = false;
  private readonly stmts = new Map<string, Database.Statement>();

  private readonly createTx;
  private readonly appendTx;
  private readonly verifyTx;

  constructor(private readonly db: Db) {
    this.createTx = db.transaction(
      (
        spec: DeploymentSpec,
        meta: { id: string; source: string; receivedAt: number; idempotencyKey: string },
      ): CreateDeploymentResult => {
        const existing = this.stmt('SELECT * FROM deployments WHERE idempotency_key = ?').get(meta.idempotencyKey) as
          | DeploymentRow
          | undefined;
        if (existing) return { deployment: rowToDeployment(existing), created: false };
        this.stmt(`INSERT INTO deployments (${DEPLOYMENT_INSERT_COLUMNS}) VALUES (${placeholders(13)})`).run(
          ...deploymentValues(spec, meta),
        );
        const row = this.stmt('SELECT * FROM deployments WHERE id = ?').get(meta.id) as DeploymentRow;
        return { deployment: rowToDeployment(row), created: true };
      },
    );

    // Read head, chain, insert, advance head: one transaction, so the chain cannot fork.
    this.appendTx = db.transaction((event: NewTimelineEvent): TimelineEvent => {
      if (event.dedupeKey !== undefined) {
        const dup = this.stmt('SELECT * FROM events WHERE dedupe_key = ?').get(event.dedupeKey) as EventRow | undefined;
        if (dup) return rowToEvent(dup);
      }
      const head = this.stmt('SELECT seq, hash FROM chain_head WHERE id = 1').get() as { seq: number; hash: string };
      const e = chainEvent(event, head.seq + 1, head.hash);
      this.stmt(`INSERT INTO events (${EVENT_INSERT_COLUMNS}) VALUES (${placeholders(9)})`).run(...eventValues(e));
      this.stmt('UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1').run(e.seq, e.hash);
      if (e.type === 'watch.completed' && e.deploymentId !== null) {
        this.stmt('UPDATE deployments SET completed_at = ? WHERE id = ? AND completed_at IS NULL').run(e.at, e.deploymentId);
      }
      return e;
    });

    // One read transaction: the events and the head are the same snapshot.
    this.verifyTx = db.transaction((): AuditVerification => {
      const v = new ChainVerifier();
      for (const row of this.stmt('SELECT * FROM events ORDER BY seq').iterate() as Iterable<EventRow>) {
        if (!v.push(rowToEvent(row))) break;
      }
      const head = this.stmt('SELECT seq, hash FROM chain_head WHERE id = 1').get() as { seq: number; hash: string };
      return v.finish(head);
    });
  }

  /** Prepared statements are cached: the same few queries run on every tick. */
  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  async createDeployment(
    spec: DeploymentSpec,
    meta: { id: string; source: string; receivedAt: number; idempotencyKey: string },
  ): Promise<CreateDeploymentResult> {
    return this.createTx.immediate(spec, meta);
  }

  async getDeployment(id: string): Promise<Deployment | undefined> {
    const row = this.stmt('SELECT * FROM deployments WHERE id = ?').get(id) as DeploymentRow | undefined;
    return row ? rowToDeployment(row) : undefined;
  }

  async listDeployments(filter: DeploymentFilter = {}): Promise<Deployment[]> {
    const q = listDeploymentsQuery(filter, sqlitePh);
    return (this.stmt(q.sql).all(...q.args) as DeploymentRow[]).map(rowToDeployment);
  }

  async setStatus(id: string, status: DeploymentStatus): Promise<void> {
    const r = this.stmt('UPDATE deployments SET status = ? WHERE id = ?').run(status, id);
    if (r.changes === 0) throw new Error(`unknown deployment: ${id}`);
  }

  async append(event: NewTimelineEvent): Promise<TimelineEvent> {
    try {
      return this.appendTx.immediate(event);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new Error(`cannot append ${event.type}: unknown deployment ${String(event.deploymentId)}`);
      }
      throw err;
    }
  }

  async events(deploymentId: string): Promise<TimelineEvent[]> {
    return (this.stmt('SELECT * FROM events WHERE deployment_id = ? ORDER BY seq').all(deploymentId) as EventRow[]).map(
      rowToEvent,
    );
  }

  async audit(opts: AuditQuery = {}): Promise<TimelineEvent[]> {
    const q = auditQuery(opts, sqlitePh);
    return (this.stmt(q.sql).all(...q.args) as EventRow[]).map(rowToEvent);
  }

  async headSeq(): Promise<number> {
    return (this.stmt('SELECT seq FROM chain_head WHERE id = 1').get() as { seq: number }).seq;
  }

  async verifyAudit(): Promise<AuditVerification> {
    return this.verifyTx();
  }

  async unfinishedDeployments(): Promise<Deployment[]> {
    return (this.stmt(UNFINISHED_SQL).all() as DeploymentRow[]).map(rowToDeployment);
  }

  async getState<T>(key: string): Promise<T | undefined> {
    const row = this.stmt('SELECT value FROM kv_state WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async setState<T>(key: string, value: T): Promise<void> {
    if (value === undefined) {
      this.stmt('DELETE FROM kv_state WHERE key = ?').run(key);
      return;
    }
    this.stmt(
      'INSERT INTO kv_state (key, value, updated_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    ).run(key, JSON.stringify(value), Date.now());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
