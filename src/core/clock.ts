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
