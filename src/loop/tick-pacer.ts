// Paces the ticks of many watches so that no burst of due watches monopolises the event loop.
// Thousands of watches started together fall due together, and with a synchronous store a
// whole tick runs without yielding: 5,000 of them back to back held the loop for seconds, and
// HTTP (health checks, approvals, the dashboard) waited behind them. Here a due watch waits
// its turn: at most `perTurn` ticks start per turn of the event loop, in the order they fell
// due (fair: a watch that waited goes before one that just became due), and the next slice
// starts from setImmediate, after pending I/O has been served. When the machine cannot keep
// up, ticks start late instead of the loop stalling; the queue length says by how much.
// A tick is paced again before its heavy middle (evaluation): the appends of many ticks are
// committed in one batch and would otherwise all resume, and all evaluate, in the same turn.
// Those resuming ticks (`resume`) go before new ones, so ticks in flight finish first and the
// number of half-done ticks stays small.
// Hand-written: two FIFOs and setImmediate are the whole mechanism.

interface Waiter {
  resolve: () => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  done: boolean;
}

/** A FIFO with a moving head (shift() on every admit is O(n) per call). */
class Fifo {
  items: Waiter[] = [];
  head = 0;
  push(w: Waiter): void {
    this.items.push(w);
  }
  /** the next waiter not yet released, or undefined */
  next(): Waiter | undefined {
    while (this.head < this.items.length) {
      const w = this.items[this.head++];
      if (!w.done) return w;
    }
    return undefined;
  }
  get pending(): boolean {
    return this.head < this.items.length;
  }
  count(): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) if (!this.items[i].done) n++;
    return n;
  }
  /** drop the consumed prefix now and then */
  compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }
}

export class TickPacer {
  private readonly fresh = new Fifo();
  private readonly resuming = new Fifo();
  private scheduled = false;

  constructor(private readonly perTurn = 8) {
    if (!(perTurn >= 1)) throw new RangeError('ticks per turn must be at least 1');
  }

  /** Resolves when the caller may run its tick (at once when `signal` is or gets aborted).
   *  `resume`: a tick already under way (served before new ones). */
  admit(signal?: AbortSignal, resume = false): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const w: Waiter = { resolve, done: false, ...(signal ? { signal } : {}) };
      if (signal) {
        // an aborted watch (shutdown, cancel) leaves at once; its slot is skipped later
        w.onAbort = () => this.release(w);
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      (resume ? this.resuming : this.fresh).push(w);
      this.schedule();
    });
  }

  /** watches waiting for their turn */
  get queued(): number {
    return this.fresh.count() + this.resuming.count();
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
    for (let admitted = 0; admitted < this.perTurn; admitted++) {
      const w = this.resuming.next() ?? this.fresh.next();
      if (!w) break;
      this.release(w);
    }
    this.resuming.compact();
    this.fresh.compact();
    if (this.resuming.pending || this.fresh.pending) this.schedule();
  }
}
