// Time comes from an injected clock so replay and simulation run faster than real time.

export interface Clock {
  /** epoch ms */
  now(): number;
  /** resolves after `ms` of this clock's time (immediately advances a virtual clock) */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** A clock that only moves when told to (replay, simulation, tests). */
export class VirtualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}

/**
 * A clock whose time runs `speed`× real time from an anchor, so the demo world shows a
 * 10-minute watch in one real minute. The anchor is data (not process start) so a restarted
 * process can continue the same simulated timeline instead of jumping back in time.
 */
export interface ScaledClockAnchor {
  /** real epoch ms at the anchor */
  real: number;
  /** simulated epoch ms at the anchor */
  sim: number;
  speed: number;
}

export class ScaledClock implements Clock {
  constructor(
    readonly anchor: ScaledClockAnchor,
    private readonly realNow: () => number = Date.now,
  ) {
    if (!(anchor.speed > 0)) throw new RangeError('clock speed must be > 0');
  }
  now(): number {
    return Math.round(this.anchor.sim + (this.realNow() - this.anchor.real) * this.anchor.speed);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(Math.max(0, ms / this.anchor.speed), signal);
  }
}
