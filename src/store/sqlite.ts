// The embedded default Store: one SQLite file via better-sqlite3 (synchronous: reads answer at
// once; writes are queued for a moment and committed together, see below).
//
// Durability: WAL, and a write is acknowledged only once the WAL holds it on disk. SQLite's own
// way (synchronous=FULL) fsyncs inside COMMIT, on the event loop's thread (better-sqlite3 is
// synchronous): at a few ms per fsync on a busy disk that held the loop for a third of the time
// under intake load, and every request waited behind it. So the connection runs with
// synchronous=NORMAL (a commit writes its WAL frames to the OS, no fsync; SQLite still syncs
// the WAL before each checkpoint and the database after it, so the file stays consistent) and
// this store fdatasyncs the WAL file itself, on libuv's thread pool, after each committed batch;
// the batch's callers are answered after that (write-batch.ts `durable`). Same guarantee as
// FULL (an acknowledged write survives power loss), with the loop free while the disk works.
// Writes that arrive meanwhile form the next batch, so the batch grows with the disk's latency.
// Pass { synchronous: 'NORMAL' } for throwaway data (tests, replay): no fsync at all.
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DeploymentListItem } from '../core/api.js';
import { emptyFold, foldEvent, foldStatus, parseFold, type SummaryFold } from '../core/deployment-summary.js';
import type { AuditFilter, AuditVerification, CreateDeploymentMeta, CreateDeploymentResult, DeploymentFilter, Store } from '../core/store.js';
import type { NewTimelineEvent, TimelineEvent } from '../core/timeline.js';
import type { Deployment, DeploymentSpec, DeploymentStatus } from '../core/types.js';
import { chainEvent, validateNewEvent, verifyChain, type AuditCheckpoint, type ChainReader } from './chain.js';
import { BACKFILL_PAYLOAD_SQL, INDEX_PENDING_SQL, MIGRATIONS, MIGRATIONS_TABLE_DDL, migrationSql } from './migrations.js';
import {
  DEPLOYMENT_INSERT_COLUMNS,
  EVENT_INSERT_COLUMNS,
  UNFINISHED_SQL,
  type DeploymentRow,
  type EventRow,
  auditQuery,
  listDeploymentsQuery,
  sqlitePh,
  deploymentValues,
  firstEventsOf,
  eventValues,
  rowOfValues,
  rowToDeployment,
  rowToEvent,
  rowToListItem,
} from './rows.js';
import { SearchDb, searchDbPath } from './search-db.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { WriteBatcher, type WriteBatcherOptions } from './write-batch.js';

export interface SqliteStoreOptions {
  synchronous?: 'NORMAL' | 'FULL';
  /** how long a writer waits for another process's write lock before failing */
  busyTimeoutMs?: number;
  /** most writes committed together (default 256) */
  maxBatch?: number;
  /** checkpoint the WAL from a worker thread (default true for a file) instead of inside COMMITs */
  checkpointThread?: boolean;
  /** how long a write waits for others to share its commit, ms (default 0: this turn; a batch
   *  also gathers what arrives while the one before is being synced) */
  batchDelayMs?: number;
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
    if (m.backfill === 'deployment-summaries') backfillSummaries(db);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      m.version,
      m.name,
      Date.now(),
    );
  });
  for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) applyOne.immediate(m.version);
  return known;
}

/** Fold every deployment's timeline into its summary (databases from before migration 3). */
function backfillSummaries(db: Db): void {
  const rows = db.prepare(`SELECT deployment_id, type, at, ${BACKFILL_PAYLOAD_SQL} AS payload FROM events WHERE deployment_id IS NOT NULL ORDER BY deployment_id, seq`).iterate() as Iterable<{
    deployment_id: string;
    type: TimelineEvent['type'];
    at: number;
    payload: string | null;
  }>;
  // the cursor stays open while iterating: fold everything first, write after
  const folds = new Map<string, SummaryFold>();
  for (const r of rows) {
    let f = folds.get(r.deployment_id);
    if (!f) folds.set(r.deployment_id, (f = emptyFold()));
    foldEvent(f, { type: r.type, at: r.at, payload: r.payload === null ? {} : (JSON.parse(r.payload) as Record<string, unknown>) });
  }
  const update = db.prepare('UPDATE deployments SET summary = ?, status = coalesce(?, status) WHERE id = ?');
  for (const [id, f] of folds) update.run(JSON.stringify(f), foldStatus(f) ?? null, id);
  db.prepare('UPDATE deployments SET summary = ? WHERE summary IS NULL').run(JSON.stringify(emptyFold()));
}

export function createSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 10_000))}`);
  if (!inMemory) db.pragma('journal_mode = WAL');
  // FULL for a file: NORMAL on the connection, the WAL synced by WalSync (above); in memory
  // there is nothing to sync
  const syncWal = !inMemory && opts.synchronous !== 'NORMAL';
  db.pragma(`synchronous = ${opts.synchronous === 'NORMAL' || syncWal ? 'NORMAL' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  migrateSqlite(db);
  const wal = syncWal ? new WalSync(`${path}-wal`) : undefined;
  // checkpoints off the event loop (wal-checkpointer.ts); the store's close checkpoints last
  // and with it, the search index in a file of its own (search-db.ts); without a thread the
  // index is the store's own events_fts, written in each commit
  const thread = !inMemory && opts.checkpointThread !== false;
  const search = thread ? new SearchDb(path, Math.max(0, Math.floor(opts.busyTimeoutMs ?? 10_000))) : undefined;
  const checkpointer = thread ? new WalCheckpointer(path, { searchPath: searchDbPath(path) }) : undefined;
  if (checkpointer) db.pragma('wal_autocheckpoint = 0');
  return new SqliteStore(db, { maxBatch: opts.maxBatch, delayMs: opts.batchDelayMs ?? 0, ...(wal ? { durable: () => wal.sync() } : {}) }, wal, checkpointer, search);
}

/**
 * fdatasync of the WAL file off the event loop. The descriptor stays open until the store
 * closes: SQLite keeps no POSIX lock on the -wal file (its locks are on the database and -shm
 * files, which closing another descriptor of would drop), and the WAL is one file for as long
 * as the connection is open (a checkpoint rewinds it, it is never replaced).
 */
class WalSync {
  private fd: number | undefined;
  constructor(private readonly file: string) {}

  sync(): Promise<void> {
    // opened on first use: the WAL exists once something was committed in WAL mode
    this.fd ??= openSync(this.file, 'r+');
    const fd = this.fd;
    return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A write the batcher commits together with others. */
type WriteOp =
  | { kind: 'create'; spec: DeploymentSpec; meta: CreateDeploymentMeta }
  | { kind: 'append'; event: NewTimelineEvent }
  | { kind: 'status'; id: string; status: DeploymentStatus };
type WriteResult = CreateDeploymentResult | TimelineEvent | undefined;

interface Touched {
  fold: SummaryFold;
  completedAt?: number;
}

class SqliteStore implements Store {
  private closed = false;
  private readonly stmts = new Map<string, Database.Statement>();
  private readonly writeTx;
  private readonly writes: WriteBatcher<WriteOp, WriteResult>;

  constructor(
    private readonly db: Db,
    batching: WriteBatcherOptions,
    private readonly wal?: WalSync,
    private readonly checkpointer?: WalCheckpointer,
    private readonly search?: SearchDb,
  ) {
    this.writeTx = db.transaction((ops: WriteOp[]) => this.runWrites(ops));
    this.writes = new WriteBatcher<WriteOp, WriteResult>(async (ops) => this.writeTx.immediate(ops), batching);
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

  /**
   * One transaction for a batch: read the chain head once, chain each event on the one
   * before, then advance the head, index the new events for search, and write each touched
   * deployment's summary once.
   */
  private runWrites(ops: WriteOp[]): WriteResult[] {
    const head = this.stmt('SELECT seq, hash FROM chain_head WHERE id = 1').get() as { seq: number; hash: string };
    const firstSeq = head.seq + 1;
    const touched = new Map<string, Touched>();
    const byKey = new Map<string, TimelineEvent>();
    const insertEvent = this.stmt(`INSERT INTO events (${EVENT_INSERT_COLUMNS}) VALUES (${placeholders(9)})`);

    const append = (event: NewTimelineEvent): TimelineEvent => {
      validateNewEvent(event);
      if (event.dedupeKey !== undefined) {
        const seen = byKey.get(event.dedupeKey);
        if (seen) return seen;
        const dup = this.stmt('SELECT * FROM events WHERE dedupe_key = ?').get(event.dedupeKey) as EventRow | undefined;
        if (dup) return rowToEvent(dup);
      }
      let t: Touched | undefined;
      if (event.deploymentId !== null) {
        t = touched.get(event.deploymentId);
        if (!t) {
          const row = this.stmt('SELECT summary FROM deployments WHERE id = ?').get(event.deploymentId) as { summary: string | null } | undefined;
          if (!row) throw new Error(`cannot append ${event.type}: unknown deployment ${event.deploymentId}`);
          t = { fold: parseFold(row.summary) };
          touched.set(event.deploymentId, t);
        }
      }
      const e = chainEvent(event, head.seq + 1, head.hash);
      insertEvent.run(...eventValues(e));
      head.seq = e.seq;
      head.hash = e.hash;
      if (e.dedupeKey !== undefined) byKey.set(e.dedupeKey, e);
      if (t) {
        foldEvent(t.fold, e);
        if (e.type === 'watch.completed') t.completedAt ??= e.at;
      }
      return e;
    };

    const create = (spec: DeploymentSpec, meta: CreateDeploymentMeta): CreateDeploymentResult => {
      const existing = this.stmt('SELECT * FROM deployments WHERE idempotency_key = ?').get(meta.idempotencyKey) as DeploymentRow | undefined;
      if (existing) return { deployment: rowToDeployment(existing), created: false };
      const values = deploymentValues(spec, meta);
      this.stmt(`INSERT INTO deployments (${DEPLOYMENT_INSERT_COLUMNS}) VALUES (${placeholders(values.length)})`).run(...values);
      // the row as inserted (no read back); its summary starts empty and is written once, below
      const deployment = rowToDeployment(rowOfValues(values));
      touched.set(meta.id, { fold: emptyFold() });
      const events = firstEventsOf(meta).map(append);
      return { deployment, created: true, ...(meta.firstEvent ? { event: events[0] } : {}), ...(events.length ? { events } : {}) };
    };

    const setStatus = (id: string, status: DeploymentStatus): undefined => {
      const r = this.stmt('UPDATE deployments SET status = ? WHERE id = ? AND completed_at IS NULL').run(status, id);
      if (r.changes === 0 && !this.stmt('SELECT 1 FROM deployments WHERE id = ?').get(id)) throw new Error(`unknown deployment: ${id}`);
      return undefined;
    };
    const results = ops.map((op) => (op.kind === 'create' ? create(op.spec, op.meta) : op.kind === 'append' ? append(op.event) : setStatus(op.id, op.status)));
    if (head.seq >= firstSeq) {
      this.stmt('UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1').run(head.seq, head.hash);
      // with a search file the background thread indexes (search-db.ts); else, here, from where
      // the index stands (it may have been left behind while a search file was in use)
      if (!this.search) this.stmt(INDEX_PENDING_SQL).run(-1); // LIMIT -1: all of them
    }
    const update = this.stmt(
      'UPDATE deployments SET summary = ?, status = coalesce(?, status), completed_at = coalesce(completed_at, ?) WHERE id = ?',
    );
    for (const [id, t] of touched) update.run(JSON.stringify(t.fold), foldStatus(t.fold) ?? null, t.completedAt ?? null, id);
    return results;
  }

  async createDeployment(spec: DeploymentSpec, meta: CreateDeploymentMeta): Promise<CreateDeploymentResult> {
    return (await this.writes.submit({ kind: 'create', spec, meta })) as CreateDeploymentResult;
  }

  async getDeployment(id: string): Promise<Deployment | undefined> {
    const row = this.stmt('SELECT * FROM deployments WHERE id = ?').get(id) as DeploymentRow | undefined;
    return row ? rowToDeployment(row) : undefined;
  }

  async listDeployments(filter: DeploymentFilter = {}): Promise<Deployment[]> {
    const q = listDeploymentsQuery(filter, sqlitePh);
    return (this.stmt(q.sql).all(...q.args) as DeploymentRow[]).map(rowToDeployment);
  }

  async listDeploymentItems(filter: DeploymentFilter = {}): Promise<DeploymentListItem[]> {
    const q = listDeploymentsQuery(filter, sqlitePh);
    return (this.stmt(q.sql).all(...q.args) as DeploymentRow[]).map(rowToListItem);
  }

  async setStatus(id: string, status: DeploymentStatus): Promise<void> {
    // most calls repeat what the appends already made the row say: no write (no commit) then
    const row = this.stmt('SELECT status, completed_at FROM deployments WHERE id = ?').get(id) as { status: string; completed_at: number | null } | undefined;
    if (!row) throw new Error(`unknown deployment: ${id}`);
    if (row.status === status || row.completed_at !== null) return;
    await this.writes.submit({ kind: 'status', id, status });
  }

  async append(event: NewTimelineEvent): Promise<TimelineEvent> {
    validateNewEvent(event);
    return (await this.writes.submit({ kind: 'append', event })) as TimelineEvent;
  }

  async events(deploymentId: string): Promise<TimelineEvent[]> {
    return (this.stmt('SELECT * FROM events WHERE deployment_id = ? ORDER BY seq').all(deploymentId) as EventRow[]).map(rowToEvent);
  }

  async audit(opts: AuditFilter = {}): Promise<TimelineEvent[]> {
    const q = auditQuery(opts, sqlitePh);
    if (this.search && q.sql.includes('events_fts')) {
      this.search.catchUp();
      return (this.search.all(q.sql, q.args) as EventRow[]).map(rowToEvent);
    }
    return (this.stmt(q.sql).all(...q.args) as EventRow[]).map(rowToEvent);
  }

  async headSeq(): Promise<number> {
    return (this.stmt('SELECT seq FROM chain_head WHERE id = 1').get() as { seq: number }).seq;
  }

  async verifyAudit(opts: { full?: boolean } = {}): Promise<AuditVerification> {
    const reader: ChainReader = {
      head: async () => this.stmt('SELECT seq, hash FROM chain_head WHERE id = 1').get() as { seq: number; hash: string },
      checkpoint: async () => {
        const r = this.stmt('SELECT seq, hash, swept_to FROM audit_checkpoint WHERE id = 1').get() as { seq: number; hash: string; swept_to: number } | undefined;
        return r && { seq: r.seq, hash: r.hash, sweptTo: r.swept_to };
      },
      range: async (after, to, limit) =>
        (this.stmt('SELECT * FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?').all(after, to, limit) as EventRow[]).map(rowToEvent),
    };
    const { result, checkpoint } = await verifyChain(reader, opts.full === true);
    if (checkpoint) this.saveCheckpoint(checkpoint);
    return result;
  }

  private saveCheckpoint(cp: AuditCheckpoint): void {
    // never moves back: a slower verification finishing after a newer one keeps the newer
    this.stmt(
      'INSERT INTO audit_checkpoint (id, seq, hash, swept_to, verified_at) VALUES (1, ?, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, swept_to = excluded.swept_to, verified_at = excluded.verified_at ' +
        'WHERE excluded.seq >= audit_checkpoint.seq',
    ).run(cp.seq, cp.hash, cp.sweptTo, Date.now());
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
    } else {
      this.stmt(
        'INSERT INTO kv_state (key, value, updated_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ).run(key, JSON.stringify(value), Date.now());
    }
    // an actuator's journal must be on disk before it acts on it (as a FULL commit would be)
    await this.wal?.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes.drain();
    await this.checkpointer?.stop();
    this.search?.close();
    this.db.close();
    this.wal?.close();
  }
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
