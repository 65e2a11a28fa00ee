// `devops-commander token create --name NAME --role viewer|operator|admin [--scrypt]`
// Prints a new random API token ONCE and the config lines holding only its hash, and
// `token hash` reads a token on stdin and prints its hash (for tokens made elsewhere).
import { createToken, hashToken, ROLES, type Role } from '../../server/auth.js';
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';

const USAGE = 'usage: devops-commander token create --name NAME --role viewer|operator|admin [--scrypt]\n       devops-commander token hash [--scrypt] < token.txt';

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return sub ? 0 : 2;
  }
  const p = parseArgs(rest, { values: ['name', 'role'], flags: ['scrypt'] });
  const algo = p.flags.has('scrypt') ? 'scrypt' : 'sha256';
  if (sub === 'hash') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const token = Buffer.concat(chunks).toString('utf8').trim();
    if (!token) throw new CliError('token hash: give the token on stdin');
    process.stdout.write(hashToken(token, algo) + '\n');
    return 0;
  }
  if (sub !== 'create') throw new CliError(`token: unknown subcommand '${sub}' (create or hash)`);
  const name = p.values.name;
  const role = p.values.role as Role | undefined;
  if (!name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new CliError('token create: --name must be 1-64 letters, digits, . _ -');
  if (!role || !ROLES.includes(role)) throw new CliError('token create: --role must be viewer, operator or admin');
  const t = createToken();
  const hash = algo === 'sha256' ? t.hash : hashToken(t.token, 'scrypt');
  process.stdout.write(
    [
      `token (shown once, give it to the client as "Authorization: Bearer <token>"):`,
      `  ${t.token}`,
      ``,
      `config (auth.tokens):`,
      `  - name: ${name}`,
      `    role: ${role}`,
      `    hash: ${hash}`,
      ``,
      `or environment: COMMANDER_TOKENS=${name}:${role}:${hash}`,
      '',
    ].join('\n'),
  );
  return 0;
}
