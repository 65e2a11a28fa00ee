// WAL checkpoints on a thread of their own. A checkpoint copies the WAL's pages into the
// database file and fsyncs both; run by SQLite's auto-checkpoint inside a COMMIT (every 1,000
// pages), it held the event loop for 10-50 ms at a time under intake load. Here a second
// connection in a worker thread checkpoints (PASSIVE: never waits for or blocks a writer) while
// the main connection's auto-checkpoint is off; the loop only ever writes WAL frames.
// Hand-written: a few lines around SQLite's own checkpoint.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The worker's code, CommonJS (an eval'd worker needs no file, so it runs the same from src/ and dist/). */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
// the checkpoint syncs the WAL before copying it and the database after (NORMAL does both)
db.pragma('synchronous = NORMAL');
let busy = false;
parentPort.on('message', (m) => {
  if (m === 'stop') { db.close(); parentPort.close(); return; }
  if (busy) return;
  busy = true;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { parentPort.postMessage({ error: String(e && e.message || e) }); }
  busy = false;
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly timer: NodeJS.Timeout;
  private stopped: Promise<void> | undefined;

  /** `everyMs`: how often to checkpoint (the WAL grows by what is written meanwhile) */
  constructor(path: string, everyMs = 1000, onError?: (message: string) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { path, driver } });
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
      const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
      this.worker.postMessage('stop');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    })());
  }
}
