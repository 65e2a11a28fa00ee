// Command actuator: runs a configured argv template per action (e.g. helm rollback, argocd app
// rollback). Safety rules, because the values come from webhook payloads:
// - the template is an argv ARRAY from config; a placeholder is replaced inside one element only,
//   so a value can never become a second argument, and nothing goes through a shell;
// - every substituted value passes safe-values.ts (no metacharacters, no '..', no newlines, nothing
//   that starts with '-'); argv[0] may not contain a placeholder at all;
// - a timeout kills the whole process group; output kept is bounded (head and tail).
// spawn() with shell:false is used rather than execFile() because execFile's maxBuffer KILLS a
// chatty child, whereas here the child runs to completion and only the kept output is bounded.
//
// Once per action id: the command gets the id as {actionId} and as $COMMANDER_ACTION_ID, and a
// marker keyed by the id is committed to the store before it starts and when it exits
// (command-marker.ts says where and why that survives a crash). A second call for the same id
// never starts it again. An action whose command started but whose exit status was lost (its
// commander was killed) is settled by `statusArgv` when one is configured (exit 0: it was done,
// 3: it was not, and is run now; anything else: unknown), and is otherwise `unknown`: a person
// must look, the command is not run a second time on a guess.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import type { ActionCheck, ActionContext, ActionJournal, ActionRequest, ActionResult, ActuatedAction, Actuator } from '../core/types.js';
import { checkValue, renderArg, TemplateError } from './safe-values.js';
import { ACTION_ID_ENV, markerKey, settleOrphan, type CommandMarker } from './command-marker.js';

export interface CommandTargetOptions {
  /** argv template per action; an action without one is reported as not configured */
  commands: Partial<Record<ActuatedAction, string[]>>;
  /** static values for placeholders, e.g. {release: 'checkout', namespace: 'shop'} */
  vars?: Record<string, string>;
  timeoutSeconds?: number;
  cwd?: string;
  /** extra environment; the child otherwise gets only PATH, HOME, LANG and KUBECONFIG */
  env?: Record<string, string>;
  /** bytes kept from the start and from the end of stdout and of stderr; default 4096 */
  keepBytes?: number;
  /**
   * argv template asked "was action {actionId} done?" when a command's exit status was lost in a
   * crash: exit 0 = it was done, 3 = it was not (the action is carried out now), anything else
   * (or a timeout) = unknown. Same placeholders and environment as the commands.
   */
  statusArgv?: string[];
  statusTimeoutSeconds?: number;
}

/** Placeholders every template may use (besides `vars`). */
export const COMMAND_PLACEHOLDERS = [
  'service',
  'environment',
  'version',
  'previousVersion',
  'commit',
  'replicas',
  'deploymentId',
  'actionId',
  'action',
] as const;

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  error?: string;
}

/** Keeps the first and last `keep` bytes of a stream. */
class Bounded {
  private head = Buffer.alloc(0);
  private tail = Buffer.alloc(0);
  private total = 0;
  constructor(private readonly keep: number) {}
  push(chunk: Buffer) {
    this.total += chunk.length;
    if (this.head.length < this.keep) {
      const take = Math.min(this.keep - this.head.length, chunk.length);
      this.head = Buffer.concat([this.head, chunk.subarray(0, take)]);
      chunk = chunk.subarray(take);
    }
    if (chunk.length) {
      this.tail = Buffer.concat([this.tail, chunk]);
      if (this.tail.length > this.keep) this.tail = this.tail.subarray(this.tail.length - this.keep);
    }
  }
  get truncated() {
    return this.total > this.head.length + this.tail.length;
  }
  text() {
    const cut = this.truncated ? `\n… ${this.total - this.head.length - this.tail.length} bytes omitted …\n` : '';
    return this.head.toString('utf8') + cut + this.tail.toString('utf8');
  }
}

/** Runs argv without a shell; never throws (spawn errors are returned in `error`). */
export function runArgv(
  argv: string[],
  opts: { timeoutMs: number; cwd?: string; env?: Record<string, string>; keepBytes?: number; onSpawn?: (pid: number) => void },
): Promise<RunResult> {
  const started = Date.now();
  const out = new Bounded(opts.keepBytes ?? 4096);
  const err = new Bounded(opts.keepBytes ?? 4096);
  return new Promise((resolve) => {
    let timedOut = false;
    let spawnError: string | undefined;
    const child = spawn(argv[0], argv.slice(1), {
      shell: false,
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // own process group, so a timeout also stops the command's children
      detached: true,
    });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      hardKill = setTimeout(() => killGroup('SIGKILL'), 2000);
    }, opts.timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (hardKill) clearTimeout(hardKill);
      resolve({
        exitCode: code,
        signal,
        timedOut,
        durationMs: Date.now() - started,
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        error: spawnError,
      });
    });
  });
}

function baseEnv(extra: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'KUBECONFIG']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return { ...env, ...(extra ?? {}) };
}

/** Builds the argv for one request, or throws TemplateError with the reason it was refused. */
export function buildArgv(template: string[], req: ActionRequest, vars: Record<string, string> = {}): string[] {
  if (template.length === 0) throw new TemplateError('the command template is empty');
  if (/\{[^}]*\}/.test(template[0])) throw new TemplateError('the program (argv[0]) may not contain a placeholder');
  const d = req.deployment;
  const values: Record<string, string | undefined> = {
    ...vars,
    service: d.service,
    environment: d.environment,
    version: d.version,
    previousVersion: d.previousVersion,
    commit: d.commit,
    replicas: d.replicas === undefined ? undefined : String(d.replicas),
    deploymentId: d.id,
    actionId: req.id,
    action: req.action,
  };
  return [template[0], ...template.slice(1).map((a) => renderArg(a, values, checkValue))];
}

/** The journal for an actuator used without one (tests, one-off calls): this process only. */
function memoryJournal(): ActionJournal {
  const m = new Map<string, unknown>();
  return {
    get: async <T>(k: string) => m.get(k) as T | undefined,
    set: async <T>(k: string, v: T | undefined) => void (v === undefined ? m.delete(k) : m.set(k, v)),
  };
}

export class CommandActuator implements Actuator {
  readonly name = 'command';
  private readonly ownJournal = memoryJournal();
  constructor(private readonly opts: CommandTargetOptions) {
    for (const [k, v] of Object.entries(opts.vars ?? {})) {
      const c = checkValue(`vars.${k}`, v);
      if (!c.ok) throw new TemplateError(c.reason);
    }
  }

  private env(req: ActionRequest): Record<string, string> {
    return baseEnv({ ...(this.opts.env ?? {}), [ACTION_ID_ENV]: req.id, COMMANDER_ACTION: req.action, COMMANDER_DEPLOYMENT_ID: req.deployment.id });
  }

  async execute(req: ActionRequest, ctx?: ActionContext): Promise<ActionResult> {
    const template = this.opts.commands[req.action];
    if (!template) return { ok: false, detail: `no command configured for ${req.action}` };
    let argv: string[];
    try {
      argv = buildArgv(template, req, this.opts.vars);
    } catch (e) {
      if (e instanceof TemplateError) return { ok: false, detail: `rejected: ${e.message}`, changes: { rejected: true } };
      throw e;
    }
    const journal = ctx?.journal ?? this.ownJournal;
    const key = markerKey(req.id);
    const prior = await journal.get<CommandMarker>(key);
    if (prior) {
      // never start a command twice for one action id: settle the earlier start instead
      const c = await this.check(req, ctx);
      if (c.state === 'done') return { ...c.result, detail: `${c.result.detail} (already done for ${req.id}: not run again)` };
      if (c.state === 'unknown') return { ok: false, detail: `not run again for ${req.id}: ${c.evidence}`, changes: { argv, ...(c.changes ?? {}) } };
    }
    const timeoutMs = (this.opts.timeoutSeconds ?? 120) * 1000;
    const marker: CommandMarker = { phase: 'started', argv, host: hostname(), commanderPid: process.pid, startedAt: Date.now(), timeoutMs };
    await journal.set(key, marker);
    let pidWritten: Promise<void> = Promise.resolve();
    const r = await runArgv(argv, {
      timeoutMs,
      cwd: this.opts.cwd,
      env: this.env(req),
      keepBytes: this.opts.keepBytes,
      onSpawn: (pid) => {
        marker.pid = pid;
        pidWritten = journal.set(key, { ...marker }).catch(() => undefined);
      },
    });
    const result = resultOf(argv, r, timeoutMs);
    await pidWritten;
    await journal.set(key, { ...marker, phase: 'finished', result } satisfies CommandMarker);
    return result;
  }

  async check(req: ActionRequest, ctx?: ActionContext): Promise<ActionCheck> {
    const journal = ctx?.journal ?? this.ownJournal;
    const key = markerKey(req.id);
    const marker = await journal.get<CommandMarker>(key);
    if (!marker) return { state: 'not_done', evidence: 'no marker: the command was never started (its marker is committed before it starts)' };
    if (marker.phase === 'finished' && marker.result) return { state: 'done', result: marker.result };
    const orphan = await settleOrphan(marker, req.id);
    const ran = `${marker.argv.join(' ')} was ${orphan.evidence}`;
    if (!this.opts.statusArgv) return { state: 'unknown', evidence: `${ran}; its exit status was lost with its commander and no statusArgv is configured to ask the target`, changes: { argv: marker.argv } };
    if (orphan.maybeRunning) return { state: 'unknown', evidence: `${ran}; the status command is not asked while the command may still run`, changes: { argv: marker.argv } };
    let statusArgv: string[];
    try {
      statusArgv = buildArgv(this.opts.statusArgv, req, this.opts.vars);
    } catch (e) {
      if (e instanceof TemplateError) return { state: 'unknown', evidence: `${ran}; the status command was refused: ${e.message}` };
      throw e;
    }
    const st = await runArgv(statusArgv, { timeoutMs: (this.opts.statusTimeoutSeconds ?? 30) * 1000, cwd: this.opts.cwd, env: this.env(req), keepBytes: this.opts.keepBytes });
    const shown = statusArgv.join(' ');
    const said = (st.stdout.trim().split('\n').pop() ?? '').slice(0, 300);
    const changes = { argv: marker.argv, statusArgv, statusExitCode: st.exitCode, statusStdout: st.stdout, statusStderr: st.stderr };
    if (st.exitCode === 0 && !st.timedOut) {
      const result: ActionResult = { ok: true, detail: `${shown} says ${req.id} was done${said ? `: ${said}` : ''} (${ran})`, changes };
      await journal.set(key, { ...marker, phase: 'finished', result } satisfies CommandMarker);
      return { state: 'done', result };
    }
    if (st.exitCode === 3 && !st.timedOut) {
      // the target says it never happened: forget the start, so the action runs as a fresh one
      await journal.set(key, undefined);
      return { state: 'not_done', evidence: `${shown} exited 3: ${req.id} was not done${said ? ` (${said})` : ''}` };
    }
    const why = st.error ? `could not start: ${st.error}` : st.timedOut ? 'timed out' : `exited ${st.exitCode ?? st.signal}`;
    return { state: 'unknown', evidence: `${ran}; ${shown} ${why}, which answers neither done (0) nor not done (3)`, changes };
  }
}

function resultOf(argv: string[], r: RunResult, timeoutMs: number): ActionResult {
  const changes = {
    argv,
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
    stdout: r.stdout,
    stderr: r.stderr,
    outputTruncated: r.truncated,
  };
  const shown = argv.join(' ');
  if (r.error) return { ok: false, detail: `could not start ${shown}: ${r.error}`, changes };
  if (r.timedOut) return { ok: false, detail: `${shown} timed out after ${timeoutMs / 1000} s and was killed`, changes };
  if (r.exitCode !== 0) {
    const lastErr = r.stderr.trim().split('\n').pop() ?? '';
    return { ok: false, detail: `${shown} exited ${r.exitCode ?? r.signal}${lastErr ? `: ${lastErr.slice(0, 300)}` : ''}`, changes };
  }
  return { ok: true, detail: `${shown} exited 0 in ${r.durationMs} ms`, changes };
}

export function createCommandActuator(opts: CommandTargetOptions): Actuator {
  return new CommandActuator(opts);
}
