// The `local` actuator: runs real processes of a service version on loopback ports, the way a
// tiny orchestrator would. deploy() starts the new version and stops the old one once the new one
// is healthy; rollback starts the previous version, waits until it is healthy, then stops the
// bad one; scale_up adds replicas of the current version. Crashed replicas are restarted with
// backoff (like restartPolicy: Always) so a crash-looping version shows as restarts.
//
// Cleanup: every child gets COMMANDER_PARENT_PID and is expected to exit when re-parented (the
// demo service polls process.ppid); children are killed on our normal exit; and a pidfile per
// commander process lets the next start sweep children left by a commander that was SIGKILLed.
// argv is built from a template with validated values and spawned without a shell.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionCheck, ActionRequest, ActionResult, Actuator } from '../core/types.js';
import { checkValue, renderArg, TemplateError } from './safe-values.js';
import { own } from '../core/own.js';
import { processAlive } from './process-alive.js';

export interface LocalTargetOptions {
  /** executable to run; default: this Node binary */
  command?: string;
  /** argv template; placeholders {port} {version} {service} {environment} */
  args: string[];
  /** extra environment for every replica */
  env?: Record<string, string>;
  /** extra environment per version (the demo uses it to pick each version's fault) */
  versionEnv?: Record<string, Record<string, string>>;
  healthPath?: string;
  startTimeoutMs?: number;
  /** restart replicas that exit on their own; default true */
  restart?: boolean;
  maxReplicas?: number;
  /** where pidfiles live; default <tmpdir>/devops-commander-local */
  stateDir?: string;
  /** called with each replica's stderr lines (bounded); default: kept in a small ring */
  onLog?: (line: string) => void;
}

export interface Replica {
  id: number;
  service: string;
  environment: string;
  version: string;
  port: number;
  pid?: number;
  restarts: number;
  state: 'starting' | 'running' | 'crashed' | 'stopping' | 'stopped';
  url: string;
}

interface ReplicaInternal extends Replica {
  child?: ChildProcess;
  argv: string[];
  env: Record<string, string>;
  wanted: boolean;
  stderr: string[];
  restartTimer?: NodeJS.Timeout;
}

export class LocalActionError extends Error {}

const HOST = '127.0.0.1';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/**
 * Kills children recorded by commanders that are no longer alive. A pid is only killed when its
 * command line still matches what was recorded, so a recycled pid is left alone.
 */
export function sweepOrphans(stateDir: string): number {
  let killed = 0;
  let files: string[] = [];
  try {
    files = readdirSync(stateDir).filter((f) => /^\d+\.json$/.test(f));
  } catch {
    return 0;
  }
  for (const f of files) {
    const owner = Number(f.slice(0, -5));
    if (owner === process.pid || processAlive(owner)) continue;
    try {
      const entries = JSON.parse(readFileSync(join(stateDir, f), 'utf8')) as Array<{ pid: number; argv: string }>;
      for (const e of entries) {
        if (processAlive(e.pid) && cmdline(e.pid) === e.argv) {
          try {
            process.kill(e.pid, 'SIGKILL');
            killed++;
          } catch {
            // already gone
          }
        }
      }
    } catch {
      // unreadable pidfile: nothing we can safely kill
    }
    rmSync(join(stateDir, f), { force: true });
  }
  return killed;
}

export class LocalActuator implements Actuator {
  readonly name = 'local';
  private readonly replicas: ReplicaInternal[] = [];
  private readonly results = new Map<string, ActionResult>();
  private readonly current = new Map<string, { version: string; previous?: string; environment: string }>();
  private nextId = 1;
  private readonly stateDir: string;
  private readonly pidfile: string;
  private readonly onExit = (): void => this.killAllSync();
  private closed = false;
  /** serialises changes per service: a rollback never races a scale-up */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: LocalTargetOptions) {
    this.stateDir = opts.stateDir ?? join(tmpdir(), 'devops-commander-local');
    mkdirSync(this.stateDir, { recursive: true });
    this.pidfile = join(this.stateDir, `${process.pid}.json`);
    sweepOrphans(this.stateDir);
    process.on('exit', this.onExit);
  }

  private lock<T>(service: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(service) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.locks.set(
      service,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Running (or starting) replicas of a service: what the load generator and the scrape source follow. */
  endpoints(service?: string): Replica[] {
    return this.replicas
      .filter((r) => r.wanted && (!service || r.service === service))
      .map(({ id, service: s, environment, version, port, pid, restarts, state, url }) => ({ id, service: s, environment, version, port, pid, restarts, state, url }));
  }

  currentVersion(service: string): string | undefined {
    return this.current.get(service)?.version;
  }

  private buildArgv(service: string, environment: string, version: string, port: number): string[] {
    const values = { service, environment, version, port: String(port) };
    for (const [k, v] of Object.entries(values)) {
      const c = checkValue(k, v);
      if (!c.ok) throw new LocalActionError(c.reason);
    }
    try {
      return this.opts.args.map((a) => renderArg(a, values));
    } catch (e) {
      if (e instanceof TemplateError) throw new LocalActionError(e.message);
      throw e;
    }
  }

  private writePidfile(): void {
    const entries = this.replicas
      .filter((r) => r.pid && r.child && r.child.exitCode === null)
      .map((r) => ({ pid: r.pid!, argv: [this.opts.command ?? process.execPath, ...r.argv].join(' ') }));
    try {
      if (entries.length === 0) rmSync(this.pidfile, { force: true });
      else writeFileSync(this.pidfile, JSON.stringify(entries));
    } catch {
      // the watchdog still covers us; a pidfile is the second line of defence
    }
  }

  private launch(r: ReplicaInternal): void {
    const cmd = this.opts.command ?? process.execPath;
    const child = spawn(cmd, r.argv, {
      env: { ...process.env, ...r.env, COMMANDER_PARENT_PID: String(process.pid) },
      stdio: ['ignore', 'ignore', 'pipe'],
      shell: false,
    });
    r.child = child;
    r.pid = child.pid;
    r.state = 'starting';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        r.stderr.push(line.slice(0, 500));
        if (r.stderr.length > 20) r.stderr.shift();
        this.opts.onLog?.(`[${r.service} ${r.version} :${r.port}] ${line.slice(0, 500)}`);
      }
    });
    child.on('error', (e) => r.stderr.push(`spawn error: ${e.message}`));
    child.on('exit', () => {
      this.writePidfile();
      if (!r.wanted || this.closed) {
        r.state = 'stopped';
        return;
      }
      r.state = 'crashed';
      if (this.opts.restart === false) return;
      // Backoff like a kubelet: 0.5 s, 1 s, 2 s … capped at 8 s.
      const delay = Math.min(8000, 500 * 2 ** Math.min(r.restarts, 4));
      r.restartTimer = setTimeout(() => {
        if (!r.wanted || this.closed) return;
        r.restarts++;
        this.launch(r);
        void this.waitHealthy(r).catch(() => undefined);
      }, delay);
      r.restartTimer.unref();
    });
    this.writePidfile();
  }

  private async waitHealthy(r: ReplicaInternal): Promise<void> {
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 20_000);
    const child = r.child;
    while (Date.now() < deadline) {
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        throw new LocalActionError(`${r.service} ${r.version} on port ${r.port} exited during start: ${r.stderr.slice(-2).join(' | ') || 'no output'}`);
      }
      try {
        const res = await fetch(`${r.url}${this.opts.healthPath ?? '/healthz'}`, { signal: AbortSignal.timeout(1000) });
        await res.body?.cancel();
        if (res.ok) {
          if (r.child === child) r.state = 'running';
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(150);
    }
    throw new LocalActionError(`${r.service} ${r.version} on port ${r.port} not healthy after ${this.opts.startTimeoutMs ?? 20_000} ms`);
  }

  private async startReplica(service: string, environment: string, version: string): Promise<ReplicaInternal> {
    const port = await freePort();
    const r: ReplicaInternal = {
      id: this.nextId++,
      service,
      environment,
      version,
      port,
      restarts: 0,
      state: 'starting',
      url: `http://${HOST}:${port}`,
      argv: this.buildArgv(service, environment, version, port),
      env: { ...(this.opts.env ?? {}), ...(own(this.opts.versionEnv, version) ?? {}) },
      wanted: true,
      stderr: [],
    };
    this.replicas.push(r);
    this.launch(r);
    try {
      await this.waitHealthy(r);
    } catch (e) {
      await this.stopReplica(r);
      throw e;
    }
    return r;
  }

  private async stopReplica(r: ReplicaInternal): Promise<void> {
    r.wanted = false;
    if (r.restartTimer) clearTimeout(r.restartTimer);
    const child = r.child;
    const i = this.replicas.indexOf(r);
    if (i >= 0) this.replicas.splice(i, 1);
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      r.state = 'stopped';
      return;
    }
    r.state = 'stopping';
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
    r.state = 'stopped';
  }

  private async startMany(service: string, environment: string, version: string, n: number): Promise<ReplicaInternal[]> {
    const started: ReplicaInternal[] = [];
    try {
      for (const r of await Promise.all(Array.from({ length: n }, () => this.startReplica(service, environment, version).then((x) => x, (e: unknown) => e as Error)))) {
        if (r instanceof Error) throw r;
        started.push(r);
      }
    } catch (e) {
      await Promise.all(started.map((r) => this.stopReplica(r)));
      throw e;
    }
    return started;
  }

  /**
   * Deploys `version` with `replicas` processes: the new ones must be healthy before the old ones
   * stop (a failed start leaves the old version running). Returns the new replicas.
   */
  async deploy(spec: { service: string; environment: string; version: string; replicas?: number }): Promise<Replica[]> {
    return this.lock(spec.service, async () => {
      const old = this.replicas.filter((r) => r.service === spec.service && r.wanted);
      const n = Math.max(1, Math.min(spec.replicas ?? (old.length || 1), this.opts.maxReplicas ?? 8));
      const started = await this.startMany(spec.service, spec.environment, spec.version, n);
      await Promise.all(old.map((r) => this.stopReplica(r)));
      const prev = this.current.get(spec.service)?.version;
      this.current.set(spec.service, { version: spec.version, previous: prev !== spec.version ? prev : undefined, environment: spec.environment });
      return started.map((r) => this.endpoints(spec.service).find((e) => e.id === r.id)!).filter(Boolean);
    });
  }

  async execute(request: ActionRequest): Promise<ActionResult> {
    const done = this.results.get(request.id);
    if (done) return { ...done, detail: `${done.detail} (already done)` };
    let result: ActionResult;
    try {
      result = await this.run(request);
    } catch (e) {
      result = { ok: false, detail: e instanceof Error ? e.message : String(e) };
    }
    if (result.ok) this.results.set(request.id, result);
    return result;
  }

  /**
   * Done when this process did it. Otherwise nothing of it survives: the replicas of a commander
   * that stopped exit with it (COMMANDER_PARENT_PID) or are swept at the next start, so an action
   * a stopped commander began left nothing behind and is carried out afresh.
   */
  async check(request: ActionRequest): Promise<ActionCheck> {
    const done = this.results.get(request.id);
    if (done) return { state: 'done', result: done };
    return { state: 'not_done', evidence: 'the local target did not do it in this process, and processes started by a stopped commander do not outlive it' };
  }

  private async run(request: ActionRequest): Promise<ActionResult> {
    const d = request.deployment;
    if (request.action === 'escalate') return { ok: true, detail: 'escalated to a human; no change on the local target' };
    if (request.action === 'rollback') {
      const target = d.previousVersion ?? this.current.get(d.service)?.previous;
      if (!target) return { ok: false, detail: `no previous version known for ${d.service}: cannot roll back` };
      return this.lock(d.service, async () => {
        const bad = this.replicas.filter((r) => r.service === d.service && r.wanted && r.version !== target);
        const n = Math.max(1, this.replicas.filter((r) => r.service === d.service && r.wanted).length);
        const started = await this.startMany(d.service, d.environment, target, Math.min(n, this.opts.maxReplicas ?? 8));
        await Promise.all(bad.map((r) => this.stopReplica(r)));
        this.current.set(d.service, { version: target, environment: d.environment });
        return {
          ok: true,
          detail: `rolled back ${d.service} to ${target}: ${started.length} replica(s) healthy on ports ${started.map((r) => r.port).join(', ')}; stopped ${bad.length} of ${d.version}`,
          changes: { version: target, stopped: bad.map((r) => r.port), started: started.map((r) => r.port) },
        };
      });
    }
    // scale_up
    return this.lock(d.service, async () => {
      const cur = this.replicas.filter((r) => r.service === d.service && r.wanted);
      const version = this.current.get(d.service)?.version ?? d.version;
      const max = this.opts.maxReplicas ?? 8;
      const want = Math.min(max, Math.max(cur.length + 1, Math.ceil(cur.length * 2)));
      if (want <= cur.length) return { ok: false, detail: `${d.service} already runs ${cur.length} replicas (max ${max})` };
      const started = await this.startMany(d.service, d.environment, version, want - cur.length);
      return {
        ok: true,
        detail: `scaled ${d.service} ${version} from ${cur.length} to ${want} replicas`,
        changes: { replicas: want, from: cur.length, started: started.map((r) => r.port) },
      };
    });
  }

  private killAllSync(): void {
    for (const r of this.replicas) {
      r.wanted = false;
      if (r.restartTimer) clearTimeout(r.restartTimer);
      try {
        r.child?.kill('SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(this.pidfile, { force: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.replicas].map((r) => this.stopReplica(r)));
    rmSync(this.pidfile, { force: true });
    process.removeListener('exit', this.onExit);
  }
}
