// Who is carrying out an action right now. The timeline says an action was requested and not yet
// finished; it cannot say whether the process that requested it is still at work (a pg-boss
// worker whose job expired mid-rollback is; a process killed with -9 is not). The lease says so:
// kept in the store's key-value state (`action.lease:<actionId>`), taken before the action is
// requested and renewed while the actuator runs. A process that resumes the watch leaves an
// action alone while its lease is live, so an actuator call that outlives a job's expiry is never
// run a second time by the next worker.
//
// A lease is live while it was renewed within `ttlMs` of real time (not the watch's clock: this
// is about processes, and a scaled demo clock would make it lapse at once; hosts' clocks must
// agree to well within the ttl). On the same host a holder whose process is gone, or whose pid now
// belongs to this process under another id (a container restarted as pid 1), is dead at once, so
// a restarted `serve` does not wait out the ttl. The lease is not a compare-and-set: the claim is
// the `action.requested` append (first writer wins, by dedupe key); the lease only tells the
// others whether that claimant is still alive.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Store } from '../core/store.js';

export interface LeaseHolder {
  /** unique per process incarnation */
  id: string;
  host: string;
  pid: number;
}

interface LeaseRecord extends LeaseHolder {
  renewedAt: number;
  ttlMs: number;
}

export const DEFAULT_LEASE_TTL_MS = 30_000;

/** This process: one id for all its watches. */
export const thisProcess: LeaseHolder = { id: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`, host: hostname(), pid: process.pid };

const key = (actionId: string) => `action.lease:${actionId}`;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * May the lease's holder still be at work? Not once it lapsed. Until then yes, unless it is
 * another incarnation on this host whose process is visibly gone. A lease of this very process
 * counts too: a second attempt of the same job can land in the process still running the first
 * (callers ask before they take a lease, never about their own).
 */
export function mayBeAtWork(l: LeaseRecord | undefined, self: LeaseHolder, now = Date.now()): boolean {
  if (!l || now - l.renewedAt > l.ttlMs) return false;
  if (l.id !== self.id && l.host === self.host && (l.pid === self.pid || !processAlive(l.pid))) return false;
  return true;
}

export interface ActionLease {
  /** the action is settled: stop renewing and remove the lease */
  release(): Promise<void>;
  /** the claim went to another process: stop renewing, leave the record for it to overwrite */
  abandon(): void;
}

export class ActionLeases {
  constructor(
    private readonly store: Pick<Store, 'getState' | 'setState'>,
    readonly holder: LeaseHolder = thisProcess,
    private readonly ttlMs = DEFAULT_LEASE_TTL_MS,
  ) {}

  /** The process that may be at work on this action, if one may be. */
  async atWork(actionId: string): Promise<LeaseHolder | undefined> {
    const l = await this.store.getState<LeaseRecord>(key(actionId));
    return l && mayBeAtWork(l, this.holder) ? { id: l.id, host: l.host, pid: l.pid } : undefined;
  }

  /** Take the lease and keep renewing it until released or abandoned. */
  async take(actionId: string): Promise<ActionLease> {
    const write = () => this.store.setState<LeaseRecord>(key(actionId), { ...this.holder, renewedAt: Date.now(), ttlMs: this.ttlMs });
    await write();
    let last: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      // a failed renewal is retried at the next interval; the ttl leaves room for two misses
      last = write().catch(() => undefined);
    }, Math.max(10, Math.floor(this.ttlMs / 3)));
    timer.unref();
    const stop = () => clearInterval(timer);
    return {
      release: async () => {
        stop();
        await last;
        await this.store.setState(key(actionId), undefined);
      },
      abandon: stop,
    };
  }
}
