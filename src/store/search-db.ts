// The audit search's FTS5 trigram index of a SQLite store, in a database file of its own
// (`<db>-search`) filled behind the writes by the store's background thread (wal-checkpointer.ts).
//
// Why a file of its own: indexed inside the intake commit, a delivery's events cost about a third
// of the commit's CPU on the event loop (2,222 req/s, p99 58 ms at 50 connections, against 3,229
// req/s, p99 29 ms without the index). Indexed later on the loop it only moved the cost; indexed
// by a second connection in the same file, the intake commits waited for that connection's write
// lock (p99 96 ms). A separate file has its own lock: the thread writes the index while intake
// writes the events, and neither waits for the other (the thread only reads the events, which in
// WAL mode never blocks a writer).
//
// The index is derived data (events are the record): no sync of its own, and a missing or new
// file fills from the events (rowid = seq, which has no gaps). A search first indexes what the
// thread has not reached yet, so it sees every committed event.
import Database from 'better-sqlite3';
import { INDEX_PENDING_SQL } from './migrations.js';

/** Statements both connections to the search file run (this one and the thread's). */
export const SEARCH_DB_SETUP = [
  'PRAGMA journal_mode = WAL',
  'PRAGMA synchronous = OFF',
  "CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(body, tokenize = 'trigram', content = '')",
];

export function searchDbPath(storePath: string): string {
  return `${storePath}-search`;
}

export class SearchDb {
  private readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(storePath: string, busyTimeoutMs: number) {
    this.db = new Database(searchDbPath(storePath));
    this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    for (const sql of SEARCH_DB_SETUP) this.db.exec(sql);
    // `events` in a query resolves to the store's table (this file has none of its own)
    this.db.prepare('ATTACH DATABASE ? AS ev').run(storePath);
  }

  /** Index what the thread has not yet (one statement per chunk: a write lock on this file only). */
  catchUp(): void {
    const chunk = 5000;
    while (this.stmt(INDEX_PENDING_SQL).run(chunk).changes === chunk);
  }

  all(sql: string, args: unknown[]): unknown[] {
    return this.stmt(sql).all(...args);
  }

  close(): void {
    this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
}
