// Load generator for the demo service. It follows the current replicas (a function returns their
// base URLs, re-read every tick) and spreads requests round-robin across them. Modes: `steady`
// (a constant rate) and `surge` (several times the rate, which really saturates one process).
// Usable in-process (the live demo world) or as a CLI:
//   node dist/demo/loadgen.js --url http://127.0.0.1:PORT[,http://…] [--rps 20] [--surge-rps 200] [--mode steady|surge] [--seconds 60]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'node:http';

export type LoadMode = 'steady' | 'surge' | 'off';

export interface LoadOptions {
  targets: () => string[];
  rps?: number;
  surgeRps?: number;
  /** paths requested in turn */
  paths?: string[];
  /** at most this many requests in flight (beyond it, the tick's requests are skipped and counted) */
  maxInFlight?: number;
}

export interface LoadStats {
  sent: number;
  ok: number;
  errors: number;
  failed: number;
  skipped: number;
}

export class LoadGenerator {
  mode: LoadMode = 'steady';
  readonly stats: LoadStats = { sent: 0, ok: 0, errors: 0, failed: 0, skipped: 0 };
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private rr = 0;
  private carry = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly opts: LoadOptions) {}

  setMode(mode: LoadMode): void {
    this.mode = mode;
  }

  currentRps(): number {
    return this.mode === 'off' ? 0 : this.mode === 'surge' ? (this.opts.surgeRps ?? 200) : (this.opts.rps ?? 20);
  }

  start(): void {
    if (this.timer) return;
    const tickMs = 50;
    let last = performance.now();
    this.timer = setInterval(() => {
      // Owed requests follow elapsed time, not tick count, so a busy event loop that delays
      // ticks still sends the asked rate (catch-up capped at one second); fractions carry over.
      const now = performance.now();
      this.carry = Math.min(this.carry + (this.currentRps() * (now - last)) / 1000, Math.max(1, this.currentRps()));
      last = now;
      const n = Math.floor(this.carry);
      this.carry -= n;
      const urls = this.opts.targets();
      if (urls.length === 0) return;
      for (let i = 0; i < n; i++) this.fire(urls[this.rr++ % urls.length]);
    }, tickMs);
    this.timer.unref();
  }

  private fire(base: string): void {
    if (this.inFlight >= (this.opts.maxInFlight ?? 256)) {
      this.stats.skipped++;
      return;
    }
    const paths = this.opts.paths ?? ['/api/items', '/api/checkout'];
    const url = new URL(paths[this.stats.sent % paths.length], base);
    this.stats.sent++;
    this.inFlight++;
    const req = request(url, { agent: this.agent, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => {
        this.inFlight--;
        if ((res.statusCode ?? 500) >= 500) this.stats.errors++;
        else this.stats.ok++;
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      this.inFlight--;
      this.stats.failed++;
    });
    req.end();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.agent.destroy();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      rps: { type: 'string', default: '20' },
      'surge-rps': { type: 'string', default: '200' },
      mode: { type: 'string', default: 'steady' },
      seconds: { type: 'string', default: '60' },
    },
  });
  if (!values.url) throw new Error('--url is required');
  const urls = values.url.split(',').map((u) => new URL(u).toString());
  if (!['steady', 'surge'].includes(values.mode!)) throw new Error('--mode must be steady or surge');
  const gen = new LoadGenerator({ targets: () => urls, rps: Number(values.rps), surgeRps: Number(values['surge-rps']) });
  gen.setMode(values.mode as LoadMode);
  gen.start();
  const keep = setInterval(() => process.stdout.write(`${JSON.stringify(gen.stats)}\n`), 1000);
  await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
  clearInterval(keep);
  gen.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`loadgen: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
