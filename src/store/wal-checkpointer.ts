// WAL checkpoints on a thread of their own. A checkpoint copies the WAL's pages into the
// database file and fsyncs both; run by SQLite's auto-checkpoint inside a COMMIT (every 1,000
// pages), it held the event loop for 10-50 ms at a time under intake load. Here a second
// connection in a worker thread checkpoints while the main connection's auto-checkpoint is off:
// PASSIVE (never waits for or blocks a writer) copies the pages. That alone never lets the WAL
// start over under constant writes (a writer rewinds it only when every frame was copied, and
// frames keep arriving while a checkpoint runs), so once the WAL holds more than
// `restartFrames`, a RESTART checkpoint briefly holds writers off (they wait in their busy
// handler for the few frames left and the fsyncs) and the next write rewinds the WAL.
//
// When given `searchPath`, the same thread keeps the audit search's index file (search-db.ts):
// each turn it indexes the events the index does not have yet, in small statements that lock
// only that file.
// Hand-written: a few lines around SQLite's own checkpoint and one INSERT … SELECT.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { INDEX_PENDING_SQL } from './migrations.js';
import { SEARCH_DB_SETUP } from './search-db.js';

/** The worker's code, CommonJS (an eval'd worker needs no file, so it runs the same from src/ and dist/). */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
// the checkpoint syncs the WAL before copying it and the database after (NORMAL does both)
db.pragma('synchronous = NORMAL');
let idx;
let index;
if (workerData.searchPath) {
  idx = new Database(workerData.searchPath);
  idx.pragma('busy_timeout = 5000');
  for (const sql of workerData.searchSetup) idx.exec(sql);
  idx.prepare('ATTACH DATABASE ? AS ev').run(workerData.path);
  const insert = idx.prepare(workerData.indexSql);
  index = () => {
    const until = Date.now() + 200;
    while (insert.run(workerData.indexChunk).changes === workerData.indexChunk && Date.now() < until);
  };
}
let busy = false;
parentPort.on('message', (m) => {
  if (m === 'stop') { if (idx) idx.close(); db.close(); parentPort.close(); return; }
  if (busy) return;
  busy = true;
  try {
    if (index) index();
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r && r.log > workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
  busy = false;
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly timer: NodeJS.Timeout;
  private stopped: Promise<void> | undefined;

  /** `everyMs`: how often to checkpoint (the WAL grows by what is written meanwhile) */
  constructor(path: string, opts: { everyMs?: number; restartFrames?: number; searchPath?: string; onError?: (message: string) => void } = {}) {
    const { everyMs = 250, restartFrames = 4000, searchPath, onError } = opts;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const search = searchPath === undefined ? {} : { searchPath, searchSetup: SEARCH_DB_SETUP, indexSql: INDEX_PENDING_SQL, indexChunk: 500 };
    this.worker = new Worker(WORKER, { eval: true, workerData: { path, driver, restartFrames, ...search } });
    this.worker.on('message', (m: { error?: string }) => m.error && onError?.(m.error));
    this.worker.on('error', (e) => onError?.(e.message));
    // the worker must not keep a finished process alive
    this.worker.unref();
    this.timer = setInterval(() => this.worker.postMessage('tick'), everyMs);
    this.timer.unref();
  }

  /** Stops after the checkpoint in progress; the main connection's close does the last one. */
  stop(): Promise<void> {
    return (this.stopped ??= (async () => {
      clearInterval(this.timer);
      const exited = new Promise<boolean>((r) => this.worker.once('exit', () => r(true)));
      // referenced again while it stops, or a process with nothing else to do would end before
      // the worker did (and leave close() unsettled)
      this.worker.ref();
      this.worker.postMessage('stop');
      const timer = setTimeout(() => void this.worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    })());
  }
}
