// Paces the ticks of many watches so that no burst of due watches monopolises the event loop.
// Thousands of watches started together fall due together, and with a synchronous store a
// whole tick runs without yielding: 5,000 of them back to back held the loop for seconds, and
// HTTP (health checks, approvals, the dashboard) waited behind them. Here a due watch waits
// its turn: at most `perTurn` ticks start per turn of the event loop, in the order they fell
// due (fair: a watch that waited goes before one that just became due), and the next slice
// starts from setImmediate, after pending I/O has been served. When the machine cannot keep
// up, ticks start late instead of the loop stalling; the queue length says by how much.
// Hand-written: a FIFO and setImmediate are the whole mechanism.

interface Waiter {
  resolve: () => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  done: boolean;
}

export class TickPacer {
  private readonly waiting: Waiter[] = [];
  private head = 0;
  private scheduled = false;

  constructor(private readonly perTurn = 8) {
    if (!(perTurn >= 1)) throw new RangeError('ticks per turn must be at least 1');
  }

  /** Resolves when the caller may run its tick (at once when `signal` is or gets aborted). */
  admit(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const w: Waiter = { resolve, done: false, ...(signal ? { signal } : {}) };
      if (signal) {
        // an aborted watch (shutdown, cancel) leaves at once; its slot is skipped later
        w.onAbort = () => this.release(w);
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiting.push(w);
      this.schedule();
    });
  }

  /** watches waiting for their turn */
  get queued(): number {
    let n = 0;
    for (let i = this.head; i < this.waiting.length; i++) if (!this.waiting[i].done) n++;
    return n;
  }

  private release(w: Waiter): void {
    if (w.done) return;
    w.done = true;
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    w.resolve();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.slice());
  }

  private slice(): void {
    this.scheduled = false;
    let admitted = 0;
    while (admitted < this.perTurn && this.head < this.waiting.length) {
      const w = this.waiting[this.head++];
      if (w.done) continue;
      this.release(w);
      admitted++;
    }
    // drop the consumed prefix now and then (shift() on every admit is O(n) per call)
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.waiting.length) this.schedule();
  }
}
