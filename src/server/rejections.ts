// Requests refused for their credentials (no or unknown API token, a webhook with a wrong
// signature or secret, a replayed delivery). Anyone who can reach the port can send these, so
// none of them may cost a row each: every one is counted on /metrics (route pattern, status,
// reason code: bounded labels), the first few of an interval are logged and the rest summed up,
// and the audit trail gets ONE `security.rejected` event per interval that had any, with the
// counts, the busiest addresses and a few samples. A refusal of a KNOWN token (403: the token's
// role is too low) names an accountable holder and is recorded one by one, as before.
import type { Counter } from 'prom-client';
import type { Store } from '../core/store.js';

export interface Rejection {
  /** the matched route pattern (e.g. /api/deployments/:id), never the raw URL */
  route: string;
  method: string;
  status: number;
  /** short code for metrics and counts: missing_token, unknown_token, bad_signature, … */
  reason: string;
  /** the sentence the client was answered with */
  detail: string;
  ip: string;
  /** the recognised token's name (403) */
  tokenName?: string;
  source?: string;
}

export interface RejectionAccountingOptions {
  store: Pick<Store, 'append'>;
  counter: Counter<'route' | 'status' | 'reason'>;
  now: () => number;
  log?: (line: string) => void;
  /** one aggregated audit event per interval with rejections (default 60 s) */
  intervalMs?: number;
  /** rejections logged one by one per interval (default 5) */
  logsPerInterval?: number;
}

/** Distinct addresses and routes kept per interval; the rest are summed as "other". */
const MAX_KEYS = 50;
const SAMPLES = 5;

export class RejectionAccounting {
  private readonly intervalMs: number;
  private readonly logsPerInterval: number;
  private readonly timer: NodeJS.Timeout;
  private window = this.emptyWindow();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RejectionAccountingOptions) {
    this.intervalMs = opts.intervalMs ?? 60_000;
    this.logsPerInterval = opts.logsPerInterval ?? 5;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  private emptyWindow() {
    return { from: 0, count: 0, logged: 0, reasons: new Map<string, number>(), routes: new Map<string, number>(), ips: new Map<string, number>(), samples: [] as Array<Record<string, unknown>> };
  }

  /** Counts one refusal; never throws, never waits for the store. */
  readonly reject = (r: Rejection): void => {
    this.opts.counter.inc({ route: r.route, status: String(r.status), reason: r.reason });
    const at = this.opts.now();
    if (r.status === 403 && r.tokenName) {
      this.opts.store
        .append({ deploymentId: null, type: 'security.rejected', at, actor: 'system', payload: { ...r } })
        .catch((e: unknown) => this.opts.log?.(`could not record a rejected request: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    const w = this.window;
    if (w.count === 0) w.from = at;
    w.count++;
    bump(w.reasons, r.reason);
    bump(w.routes, `${r.method} ${r.route}`);
    bump(w.ips, r.ip);
    if (w.samples.length < SAMPLES) w.samples.push({ at, route: r.route, method: r.method, status: r.status, reason: r.detail, ip: r.ip, ...(r.source ? { source: r.source } : {}) });
    if (w.logged < this.logsPerInterval) {
      w.logged++;
      this.opts.log?.(`rejected ${r.method} ${r.route} from ${r.ip}: ${r.status} ${r.detail}`);
    }
  };

  /** Writes the interval's aggregate (if any) and starts a new interval. */
  flush(): Promise<void> {
    const w = this.window;
    if (w.count === 0) return this.flushing;
    this.window = this.emptyWindow();
    const to = this.opts.now();
    if (w.count > w.logged) this.opts.log?.(`rejected ${w.count} requests in the last ${Math.round((to - w.from) / 1000)} s (${w.count - w.logged} not logged one by one): ${[...w.reasons].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    const payload = {
      aggregated: true,
      from: w.from,
      to,
      count: w.count,
      reasons: Object.fromEntries(w.reasons),
      routes: Object.fromEntries(w.routes),
      ips: [...w.ips].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([ip, n]) => ({ ip, count: n })),
      samples: w.samples,
    };
    this.flushing = this.flushing.then(() =>
      this.opts.store
        .append({ deploymentId: null, type: 'security.rejected', at: to, actor: 'system', payload })
        .then(() => undefined)
        .catch((e: unknown) => this.opts.log?.(`could not record rejected requests: ${e instanceof Error ? e.message : String(e)}`)),
    );
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

function bump(m: Map<string, number>, key: string): void {
  if (!m.has(key) && m.size >= MAX_KEYS) key = 'other';
  m.set(key, (m.get(key) ?? 0) + 1);
}
