// API tokens with roles (viewer < operator < admin), stored only as hashes.
// - A token is `dc_` + 32 random bytes (base64url). Config and env hold `sha256:<hex>` of it
//   (enough for a 256-bit random secret) or `scrypt:<salt>:<hash>` for a human-chosen one.
// - GET/HEAD need viewer, other methods need operator, admin routes need admin — but only when
//   tokens are configured. With none, access is open, which is safe only on a loopback bind:
//   `assertSafeBind` refuses to start otherwise.
// - Webhook routes (GitHub, Argo CD) authenticate with their own signatures/secrets; health
//   routes are public.
// - Every refusal is reported through `onRejected` (the server counts it, samples it into the
//   log and sums it into one audit event per interval: server/rejections.ts).
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export interface TokenEntry {
  name: string;
  role: Role;
  /** 'sha256:<64 hex>' or 'scrypt:<salt b64url>:<hash b64url>' */
  hash: string;
}

export function hashToken(token: string, algo: 'sha256' | 'scrypt' = 'sha256'): string {
  if (algo === 'sha256') return 'sha256:' + createHash('sha256').update(token).digest('hex');
  const salt = randomBytes(16);
  return `scrypt:${salt.toString('base64url')}:${scryptSync(token, salt, 32).toString('base64url')}`;
}

/** A new random token and the hash to put in config (the token itself is shown once). */
export function createToken(): { token: string; hash: string } {
  const token = 'dc_' + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function verifyTokenHash(token: string, hash: string): boolean {
  const [algo, a, b] = hash.split(':');
  let want: Buffer;
  let got: Buffer;
  if (algo === 'sha256' && a && /^[0-9a-f]{64}$/.test(a)) {
    want = Buffer.from(a, 'hex');
    got = createHash('sha256').update(token).digest();
  } else if (algo === 'scrypt' && a && b) {
    want = Buffer.from(b, 'base64url');
    got = scryptSync(token, Buffer.from(a, 'base64url'), want.length || 32);
  } else return false;
  return got.length === want.length && timingSafeEqual(got, want);
}

export class TokenConfigError extends Error {}

/** Validates token entries from config or env; errors name the entry. */
export function checkTokens(tokens: TokenEntry[]): TokenEntry[] {
  const names = new Set<string>();
  tokens.forEach((t, i) => {
    if (!t.name || !/^[A-Za-z0-9_.-]{1,64}$/.test(t.name)) throw new TokenConfigError(`tokens[${i}].name must be 1-64 letters, digits, . _ -`);
    if (!ROLES.includes(t.role)) throw new TokenConfigError(`tokens[${i}] (${t.name}): role must be viewer, operator or admin`);
    if (!/^sha256:[0-9a-f]{64}$/.test(t.hash) && !/^scrypt:[\w-]+:[\w-]+$/.test(t.hash))
      throw new TokenConfigError(`tokens[${i}] (${t.name}): hash must be sha256:<64 hex> or scrypt:<salt>:<hash> (never the token itself)`);
    if (names.has(t.name)) throw new TokenConfigError(`tokens[${i}]: duplicate token name ${t.name}`);
    names.add(t.name);
  });
  return tokens;
}

/**
 * Tokens from the environment: COMMANDER_TOKENS="ci:operator:sha256:ab12…,ops:admin:sha256:…"
 * (name:role:hash, comma separated).
 */
export function parseTokensEnv(value: string | undefined): TokenEntry[] {
  if (!value || !value.trim()) return [];
  return checkTokens(
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((item) => {
        const [name, role, ...rest] = item.split(':');
        return { name, role: role as Role, hash: rest.join(':') };
      }),
  );
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

/** Throws, with the fix in the message, when the server would be reachable without tokens. */
export function assertSafeBind(host: string, tokens: readonly TokenEntry[]): void {
  if (tokens.length > 0 || isLoopback(host)) return;
  throw new TokenConfigError(
    `refusing to listen on ${host} without API tokens: anyone who can reach it could approve or trigger rollbacks. ` +
      `Create a token with \`devops-commander token create --name NAME --role admin\` and put its hash under auth.tokens ` +
      `in the config (or COMMANDER_TOKENS=name:role:hash), or bind to 127.0.0.1.`,
  );
}

export interface RejectionInfo {
  status: 401 | 403;
  reason: string;
  /** short code: missing_token, unknown_token, insufficient_role */
  code: 'missing_token' | 'unknown_token' | 'insufficient_role';
  method: string;
  url: string;
  /** the matched route's pattern ('(none)' when no route matched) */
  route: string;
  ip: string;
  /** the token's name when one was recognised (wrong role) */
  tokenName?: string;
  requiredRole: Role;
}

export interface AuthOptions {
  tokens: readonly TokenEntry[];
  /** path prefixes where every method needs admin; default ['/api/admin'] */
  adminPrefixes?: string[];
  /** path prefixes where mutating methods need admin; default ['/api/policy', '/api/settings'] */
  adminMutatingPrefixes?: string[];
  /** paths exempt from tokens (own auth or public); default: health and the signed webhooks */
  publicPrefixes?: string[];
  onRejected?: (info: RejectionInfo) => void | Promise<void>;
}

export const DEFAULT_PUBLIC_PREFIXES = ['/healthz', '/readyz', '/api/webhooks/github', '/api/webhooks/argocd'];

/** The role a request needs, or null for public routes. Static assets (non-/api) need viewer. */
export function requiredRole(method: string, path: string, opts: Omit<AuthOptions, 'tokens'> = {}): Role | null {
  const under = (prefixes: string[]) => prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : p + '/'));
  if (under(opts.publicPrefixes ?? DEFAULT_PUBLIC_PREFIXES)) return null;
  if (under(opts.adminPrefixes ?? ['/api/admin'])) return 'admin';
  const mutating = !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
  if (mutating && under(opts.adminMutatingPrefixes ?? ['/api/policy', '/api/settings'])) return 'admin';
  return mutating ? 'operator' : 'viewer';
}

export interface AuthContext {
  tokenName?: string;
  role?: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}

/** Finds the token entry for a presented secret (sha256 entries by hash lookup, scrypt by trial). */
export function makeTokenLookup(tokens: readonly TokenEntry[]): (presented: string) => TokenEntry | undefined {
  const bySha = new Map(tokens.filter((t) => t.hash.startsWith('sha256:')).map((t) => [t.hash, t]));
  const scrypts = tokens.filter((t) => t.hash.startsWith('scrypt:'));
  return (presented) => {
    const sha = bySha.get(hashToken(presented));
    if (sha && verifyTokenHash(presented, sha.hash)) return sha;
    return scrypts.find((t) => verifyTokenHash(presented, t.hash));
  };
}

function presentedToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(.+?)\s*$/i.exec(h);
    return m ? m[1] : undefined;
  }
  // EventSource cannot send headers: the live stream may carry the token in the query
  if (req.method === 'GET' && req.url.startsWith('/api/events')) {
    const q = new URL(req.url, 'http://x').searchParams.get('access_token');
    if (q) return q;
  }
  return undefined;
}

/** Adds the token check to every route of `app` (call on the root instance, before routes). */
export function installAuth(app: FastifyInstance, opts: AuthOptions): void {
  const tokens = checkTokens([...opts.tokens]);
  const lookup = makeTokenLookup(tokens);
  const reject = async (req: FastifyRequest, reply: FastifyReply, info: Omit<RejectionInfo, 'method' | 'url' | 'route' | 'ip'>) => {
    const full: RejectionInfo = { ...info, method: req.method, url: req.url.split('?')[0].slice(0, 200), route: req.routeOptions.url ?? '(none)', ip: req.ip };
    try {
      await opts.onRejected?.(full);
    } catch (e) {
      req.log.error({ err: e }, 'recording a rejected request failed');
    }
    if (info.status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(info.status).send({ error: info.reason });
  };
  app.addHook('onRequest', async (req, reply) => {
    if (tokens.length === 0) return; // open mode; assertSafeBind kept this to loopback
    const path = req.url.split('?')[0];
    const need = requiredRole(req.method, path, opts);
    if (need === null) return;
    const presented = presentedToken(req);
    if (!presented) return reject(req, reply, { status: 401, code: 'missing_token', reason: 'missing bearer token (Authorization: Bearer <token>)', requiredRole: need });
    const entry = lookup(presented);
    if (!entry) return reject(req, reply, { status: 401, code: 'unknown_token', reason: 'unknown or revoked token', requiredRole: need });
    if (RANK[entry.role] < RANK[need])
      return reject(req, reply, {
        status: 403,
        code: 'insufficient_role',
        reason: `token "${entry.name}" has role ${entry.role}; ${req.method} ${path} needs ${need}`,
        tokenName: entry.name,
        requiredRole: need,
      });
    req.auth = { tokenName: entry.name, role: entry.role };
  });
}

/** pino `redact` paths: credentials never reach the logs. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-commander-token"]',
  'req.headers["x-commander-signature-256"]',
  'headers.authorization',
  'headers["x-commander-token"]',
  'token',
  'secret',
  '*.token',
  '*.secret',
  '*.webhookSecret',
  '*.tokenSecret',
  '*.password',
  '*.apiKey',
  '*.kubeconfigYaml',
  '*.*.secret',
  '*.*.token',
];

/** The actor string for timeline events from an authenticated request. */
export function actorOf(req: FastifyRequest): string {
  return req.auth?.tokenName ? `token:${req.auth.tokenName}` : 'user:local';
}
