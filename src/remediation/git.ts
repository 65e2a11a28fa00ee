// The system `git`, run through execFile (never a shell), with the environment it needs and
// nothing else. Credentials travel only in the environment: git reads GIT_CONFIG_COUNT /
// GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n as if they were `-c` options, so the token's
// `http.extraHeader` never shows in argv (`ps`), in .git/config, or in an error we record.
import { execFile } from 'node:child_process';

export class GitError extends Error {
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export interface GitRunOptions {
  cwd: string;
  /** text for stdin (commit messages) */
  input?: string;
  /** extra environment (author identity, dates) */
  env?: Record<string, string>;
  /** resolve with the exit code instead of throwing when git exits non-zero */
  allowFail?: boolean;
  timeoutMs?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs git for one repository; `auth` holds the token's header settings (see authEnv). */
export class Git {
  constructor(
    readonly binary = 'git',
    private readonly auth: Record<string, string> = {},
    private readonly redact: readonly string[] = [],
  ) {}

  async run(args: string[], opts: GitRunOptions): Promise<GitResult> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // never wait for a password prompt, never open an editor, messages in one language
      GIT_TERMINAL_PROMPT: '0',
      GIT_EDITOR: 'true',
      GIT_ASKPASS: '',
      LC_ALL: 'C',
      ...this.auth,
      ...(opts.env ?? {}),
    };
    // a caller's own repository settings must not leak in through variables it happened to export
    delete env.GIT_DIR;
    delete env.GIT_WORK_TREE;
    delete env.GIT_INDEX_FILE;
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.binary,
        args,
        { cwd: opts.cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, encoding: 'utf8' },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
          if (!err || opts.allowFail) return resolve({ stdout, stderr, code });
          const what = this.clean(stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ') || err.message);
          reject(new GitError(`git ${args[0]} failed: ${what}`, args, code, this.clean(stderr)));
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
  }

  /** stdout of a command that must succeed, without the trailing newline */
  async out(args: string[], opts: GitRunOptions): Promise<string> {
    return (await this.run(args, opts)).stdout.replace(/\n$/, '');
  }

  /** git's messages may echo a URL or header; the secret never reaches an error we record */
  clean(text: string): string {
    let t = text;
    for (const s of this.redact) if (s) t = t.split(s).join('[redacted]');
    return t;
  }
}

/**
 * The environment that makes git send `Authorization` on HTTPS remotes (GitHub accepts the
 * token as the password of Basic auth). Empty without a token.
 */
export function authEnv(token: string | undefined): Record<string, string> {
  if (!token) return {};
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` };
}

/** A Git that authenticates with `token` and scrubs it (and its Basic form) from errors. */
export function gitWithToken(token: string | undefined, binary = 'git'): Git {
  const basic = token ? Buffer.from(`x-access-token:${token}`).toString('base64') : '';
  return new Git(binary, authEnv(token), token ? [token, basic] : []);
}

/** Names that reach git as arguments must not look like options or revision syntax. */
export function assertRefName(name: string, what: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/+-]{0,199}$/.test(name) || name.includes('..') || name.endsWith('.lock') || name.endsWith('/'))
    throw new GitError(`${what} '${name}' is not a usable git name`, [], null, '');
  return name;
}
