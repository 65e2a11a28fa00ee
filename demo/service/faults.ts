// How each demo version misbehaves. The behaviour is real (memory really retained, exceptions
// really thrown, the process really exits), so the commander sees it only through the signals.
export type Fault = 'none' | 'leak' | 'throw' | 'slow' | 'crash';
export const FAULTS: readonly Fault[] = ['none', 'leak', 'throw', 'slow', 'crash'];

export function parseFault(v: string | undefined): Fault {
  const f = (v ?? 'none').trim() || 'none';
  if (!(FAULTS as readonly string[]).includes(f)) throw new Error(`unknown fault "${f}" (expected one of ${FAULTS.join(', ')})`);
  return f as Fault;
}

/** Burns CPU for about `ms`, like real request work; under a surge this is what saturates. */
export function work(ms: number): number {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  let x = 0;
  while (process.hrtime.bigint() < end) for (let i = 0; i < 200; i++) x = (x * 31 + i) % 1_000_003;
  return x;
}

/** The leak: buffers kept forever, each page touched so resident memory really grows. */
export class Leak {
  private readonly kept: Buffer[] = [];
  bytes = 0;
  constructor(private readonly capBytes: number) {}
  retain(n: number): boolean {
    if (this.bytes + n > this.capBytes) return false;
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4096) b[i] = i & 0xff;
    this.kept.push(b);
    this.bytes += n;
    return true;
  }
}
