// Command actuator: runs a configured argv template per action (e.g. helm rollback, argocd app
// rollback). Safety rules, because the values come from webhook payloads:
// - the template is an argv ARRAY from config; a placeholder is replaced inside one element only,
//   so a value can never become a second argument, and nothing goes through a shell;
// - every substituted value passes safe-values.ts (no metacharacters, no '..', no newlines, nothing
//   that starts with '-'); argv[0] may not contain a placeholder at all;
// - a timeout kills the whole process group; output kept is bounded (head and tail).
// spawn() with shell:false is used rather than execFile() because execFile's maxBuffer KILLS a
// chatty child, whereas here the child runs to completion and only the kept output is bounded.
import { spawn } from 'node:child_process';
import type { ActionRequest, ActionResult, ActuatedAction, Actuator } from '../core/types.js';
import { checkValue, renderArg, TemplateError } from './safe-values.js';

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
  opts: { timeoutMs: number; cwd?: string; env?: Record<string, string>; keepBytes?: number },
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

export class CommandActuator implements Actuator {
  readonly name = 'command';
  constructor(private readonly opts: CommandTargetOptions) {
    for (const [k, v] of Object.entries(opts.vars ?? {})) {
      const c = checkValue(`vars.${k}`, v);
      if (!c.ok) throw new TemplateError(c.reason);
    }
  }

  async execute(req: ActionRequest): Promise<ActionResult> {
    const template = this.opts.commands[req.action];
    if (!template) return { ok: false, detail: `no command configured for ${req.action}` };
    let argv: string[];
    try {
      argv = buildArgv(template, req, this.opts.vars);
    } catch (e) {
      if (e instanceof TemplateError) return { ok: false, detail: `rejected: ${e.message}`, changes: { rejected: true } };
      throw e;
    }
    const timeoutMs = (this.opts.timeoutSeconds ?? 120) * 1000;
    const r = await runArgv(argv, { timeoutMs, cwd: this.opts.cwd, env: baseEnv(this.opts.env), keepBytes: this.opts.keepBytes });
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
}

export function createCommandActuator(opts: CommandTargetOptions): Actuator {
  return new CommandActuator(opts);
}
