// Runs a configured program (the coding agent, the repository's tests or linter) the way an
// untrusted one must be run: argv only (no shell), in a given directory, with a scrubbed
// environment (a short allowlist, an empty temporary HOME, no token of the commander), in its
// own process group so a timeout kills everything it started, with its output capped.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** stdout and stderr interleaved, capped, secrets replaced */
  output: string;
  durationMs: number;
}

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  /** variables to pass through from the commander's environment, by name */
  passEnv?: readonly string[];
  /** values that must never reach the program (tokens): a passed variable holding one is dropped */
  secrets?: readonly string[];
  /** extra variables set for the program */
  env?: Record<string, string>;
  maxOutputBytes?: number;
  /** how long after SIGTERM the group gets SIGKILL */
  killGraceMs?: number;
}

/** Always passed: what programs need to find their tools and speak plainly. */
const BASE_ENV = ['PATH', 'LANG', 'LC_ALL', 'TERM', 'TZ'];
/** Never passed, whatever passEnv says: the commander's own credentials and the sandbox's HOME. */
const NEVER = /^(HOME|TMPDIR|GITHUB_TOKEN|GH_TOKEN|GH_ENTERPRISE_TOKEN|GITHUB_WEBHOOK_SECRET|ARGOCD_WEBHOOK_TOKEN|COMMANDER_\w*|GIT_CONFIG_\w*|SSH_AUTH_SOCK)$/;

/** The commander's own secrets in `env`: the GitHub token (its variable) and the LLM key. */
export function commanderSecrets(env: NodeJS.ProcessEnv, tokenEnv: string): string[] {
  return [tokenEnv, 'GITHUB_TOKEN', 'GH_TOKEN', 'COMMANDER_LLM_API_KEY', 'GITHUB_WEBHOOK_SECRET', 'ARGOCD_WEBHOOK_TOKEN']
    .map((k) => env[k]?.trim())
    .filter((v): v is string => !!v && v.length >= 4);
}

/** The environment a configured program gets: never the commander's own credentials. */
export function scrubbedEnv(home: string, opts: Pick<RunOptions, 'passEnv' | 'secrets' | 'env'>, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { HOME: home, TMPDIR: home, CI: 'true', GIT_TERMINAL_PROMPT: '0', NO_COLOR: '1' };
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  for (const name of [...BASE_ENV, ...(opts.passEnv ?? [])]) {
    if (NEVER.test(name)) continue;
    const v = from[name];
    if (v === undefined || secrets.some((s) => v.includes(s))) continue;
    env[name] = v;
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) if (!NEVER.test(k) && !secrets.some((s) => v.includes(s))) env[k] = v;
  return env;
}

export function runCommand(argv: readonly string[], opts: RunOptions): Promise<CommandResult> {
  const home = mkdtempSync(join(tmpdir(), 'commander-home-'));
  const started = Date.now();
  const cap = opts.maxOutputBytes ?? 64 * 1024;
  let out = '';
  let cut = false;
  const take = (b: Buffer) => {
    if (out.length >= cap) return void (cut = true);
    out += b.toString('utf8');
  };
  return new Promise((resolve) => {
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: scrubbedEnv(home, opts),
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group: the timeout kills the agent and everything it started
      detached: true,
      shell: false,
    });
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killer = setTimeout(() => killGroup('SIGKILL'), opts.killGraceMs ?? 2000);
    }, opts.timeoutMs);
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, extra = '') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // whatever the program left running in its group goes with it
      killGroup('SIGKILL');
      if (killer) clearTimeout(killer);
      rmSync(home, { recursive: true, force: true });
      let output = (out.slice(0, cap) + (cut ? '\n…(output cut)' : '') + extra).trim();
      for (const s of opts.secrets ?? []) if (s.length >= 4) output = output.split(s).join('[redacted]');
      resolve({ code, signal, timedOut, output, durationMs: Date.now() - started });
    };
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.on('error', (e) => finish(null, null, `\ncannot start ${argv[0]}: ${e.message}`));
    // When the program itself is done, anything it left behind (holding our pipes open) is killed.
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      killGroup('SIGKILL');
    });
    child.on('close', (code, signal) => finish(exited?.code ?? code, exited?.signal ?? signal));
  });
}

/** Fills {name} placeholders of an argv template; unknown placeholders are an error. */
export function fillArgv(template: readonly string[], values: Record<string, string>): string[] {
  return template.map((a) =>
    a.replace(/\{(\w+)\}/g, (_m, k: string) => {
      if (!(k in values)) throw new Error(`unknown placeholder {${k}} in the command (known: ${Object.keys(values).map((x) => `{${x}}`).join(' ')})`);
      return values[k];
    }),
  );
}
