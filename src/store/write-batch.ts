// Group commit for the stores' writes. Appends and deployment creations that arrive in the same
// turn of the event loop (many HTTP requests, many watch ticks) are written in one transaction:
// one fsync (SQLite) or one lock of the chain head and one COMMIT (PostgreSQL) for all of
// them, the hash chain extended once per batch. Each caller's promise settles only after that
// commit, so "acknowledged" still means "stored".
//
// If the batch fails (one bad event, a constraint), nothing of it was committed, and each
// write is run again on its own so only the bad one fails. One batch runs at a time; what
// arrives meanwhile forms the next. Hand-written: the few lines here are the whole policy, and
// the library-grade parts (transactions, locks) are the databases'.

interface Pending<Op, R> {
  op: Op;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export interface WriteBatcherOptions {
  /** most writes in one transaction (bounds how long one batch holds the loop or the lock) */
  maxBatch?: number;
  /** how long the first write of a batch waits for others, ms (0: until the end of this turn) */
  delayMs?: number;
  /**
   * Makes a committed batch durable (SQLite: fdatasync of the WAL off the event loop). The
   * callers' promises settle only after it. When it fails, the batch is committed but maybe not
   * on disk: every caller gets the error and nothing is run again (a retry would write twice).
   */
  durable?: () => Promise<void>;
}

export class WriteBatcher<Op, R> {
  private queue: Array<Pending<Op, R>> = [];
  private scheduled = false;
  private running: Promise<void> | undefined;
  private readonly maxBatch: number;
  private readonly delayMs: number;
  private readonly durable: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** all ops in one transaction; results in the same order; throws = nothing committed */
    private readonly runBatch: (ops: Op[]) => Promise<R[]>,
    opts: WriteBatcherOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 256);
    this.delayMs = Math.max(0, opts.delayMs ?? 0);
    this.durable = opts.durable;
  }

  submit(op: Op): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything submitted so far is written (or failed). */
  async drain(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.scheduled = false;
    }
    while (this.running || this.queue.length) {
      if (!this.running) this.kick();
      await this.running;
    }
  }

  private schedule(): void {
    if (this.running) return;
    if (this.scheduled) {
      // a full batch need not wait out the delay
      if (this.timer && this.queue.length >= this.maxBatch) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.scheduled = false;
        this.kick();
      }
      return;
    }
    this.scheduled = true;
    const go = (): void => {
      this.timer = undefined;
      this.scheduled = false;
      this.kick();
    };
    // setImmediate, not a microtask: requests read in the same poll phase land in one batch
    if (this.delayMs > 0) this.timer = setTimeout(go, this.delayMs);
    else setImmediate(go);
  }

  private kick(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = this.flush().finally(() => {
      this.running = undefined;
      if (this.queue.length) this.schedule();
    });
  }

  private async flush(): Promise<void> {
    const items = this.queue.splice(0, this.maxBatch);
    let results: R[] | undefined;
    try {
      results = await this.runBatch(items.map((i) => i.op));
    } catch (e) {
      if (items.length === 1) {
        items[0].reject(e);
        return;
      }
    }
    if (results) {
      await this.settle(items, results);
      return;
    }
    // one at a time, in arrival order, so seq order is still the order of the calls
    for (const it of items) {
      let one: R[];
      try {
        one = await this.runBatch([it.op]);
      } catch (e) {
        it.reject(e);
        continue;
      }
      await this.settle([it], one);
    }
  }

  /** Committed: answer once it is durable (while the disk syncs, the loop serves others). */
  private async settle(items: Array<Pending<Op, R>>, results: R[]): Promise<void> {
    if (this.durable) {
      try {
        await this.durable();
      } catch (e) {
        for (const it of items) it.reject(e);
        return;
      }
    }
    items.forEach((it, i) => it.resolve(results[i]));
  }
}
