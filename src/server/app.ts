// The HTTP server (Fastify 5): API routes, live events, metrics, and the built dashboard.
// Bad input always gets a 4xx JSON `{error, field?}` with a reason; nothing is stored for it.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import type { DeploymentSpec, SignalSource } from '../core/types.js';
import type { EventBus } from '../loop/bus.js';
import type { DeploymentIntake } from '../loop/deployments.js';
import type { Scheduler } from '../loop/scheduler.js';
import type { WatchTiming } from '../loop/state.js';
import type { CommanderMetrics } from './metrics.js';
import { registerDeploymentRoutes } from './routes/deployments.js';
import { registerDecisionRoutes } from './routes/decisions.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerEventRoutes, type EventStreamOptions } from './routes/events.js';
import { registerPolicyRoutes } from './policy-routes.js';
import type { BanditModel } from '../policy/bandit.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerDashboard } from './dashboard.js';
import { actorOf, installAuth, REDACT_PATHS, type AuthOptions } from './auth.js';
import { registerGithubRoutes, type GithubRoutesDeps } from './github-routes.js';
import { registerOtlpRoutes, type OtlpRouteDeps } from './otlp-routes.js';
import { registerRemediationRoutes, type RemediationRouteDeps } from './routes/remediation.js';
import { httpError, installBodyDecoding } from './body-decoding.js';
import { jsonShapeError } from './json-shape.js';
import { RejectionAccounting } from './rejections.js';

export interface ServerOptions {
  bodyLimitBytes: number;
  /** requests per minute per client on mutating routes */
  rateLimitPerMinute: number;
  corsOrigins?: string[];
  /** built dashboard (index.html + assets); absent = API only */
  dashboardDir?: string;
  logger?: boolean;
  /** API tokens (src/server/auth.ts); none = open, which assertSafeBind allows on loopback only */
  auth?: AuthOptions;
  /** GitHub / Argo CD webhooks (src/server/github-routes.ts) */
  github?: GithubRoutesDeps;
  /** OTLP/HTTP receiver (src/server/otlp-routes.ts) */
  otlp?: OtlpRouteDeps;
  /** remediation PRs and reviews (src/server/routes/remediation.ts) */
  remediation?: RemediationRouteDeps;
  /** live event stream limits (src/server/routes/events.ts) */
  events?: Partial<EventStreamOptions>;
  /** refused credentials are summed into one audit event per this interval (default 60 s) */
  rejectionSummaryMs?: number;
}

export interface ServerDeps {
  store: Store;
  intake: DeploymentIntake;
  scheduler: Scheduler;
  clock: Clock;
  bus: EventBus;
  metrics: CommanderMetrics;
  sources: SignalSource[];
  timing: WatchTiming;
  /** an empty body on the concept's path means "deploy the demo's next version" */
  nextDemoDeploy?: () => DeploymentSpec;
  /** environment of a deployment whose body names none (the live demo's own); default production */
  defaultEnvironment?: string;
  /** true once the loop has resumed its watches */
  ready: () => boolean;
  /** the active bandit version changed through the API (rollback): swap the running model */
  onPolicyChanged?: (model: BanditModel) => void;
  /** operational log lines (clients dropped from the live stream, sampled rejections) */
  log?: (line: string) => void;
  /** whether this token may answer approvals for this service/environment (per-service approvers) */
  mayApprove?: (deployment: { service: string; environment: string }, tokenName: string | undefined) => boolean;
}

export async function buildServer(deps: ServerDeps, opts: ServerOptions): Promise<FastifyInstance> {
  // credentials never reach the logs (auth.ts REDACT_PATHS)
  const app = Fastify({ logger: opts.logger ? { redact: { paths: REDACT_PATHS, censor: '[redacted]' } } : false, bodyLimit: opts.bodyLimitBytes });

  // JSON with prototype-poisoning protection (Fastify's own parser), but an empty body is
  // "no body" rather than an error: the concept's curl posts nothing at all.
  // Its depth and size are checked before it is built (json-shape.ts).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const json: typeof parseJson = (req, body, done) => {
    const tooBig = jsonShapeError(body as string);
    if (tooBig) return done(httpError(400, tooBig) as FastifyError, undefined);
    parseJson(req, body, done);
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    json(req, body as string, done);
  });
  // gzip/deflate/br bodies on every route, the route's limit counted on the inflated bytes
  installBodyDecoding(app);

  // `curl -d '{...}'` without a content-type header sends JSON labelled as a form: accept it when
  // it is JSON, so the concept's one-liners work however they are typed.
  app.addContentTypeParser(['application/x-www-form-urlencoded', 'text/plain'], { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body.trim() : '';
    if (text === '') return done(null, undefined);
    if (!text.startsWith('{') && !text.startsWith('[')) {
      const err = new Error(`unsupported body for content-type '${String(req.headers['content-type'])}': send JSON`) as FastifyError;
      err.statusCode = 415;
      return done(err);
    }
    json(req, text, done);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => sendError(err, req, reply));
  await app.register(rateLimit, {
    global: false,
    // thrown by the plugin, then answered by sendError below as {error}
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: 'Too Many Requests', message: `rate limit: at most ${ctx.max} requests per minute; retry in ${ctx.after}` }),
  });
  if (opts.corsOrigins && opts.corsOrigins.length > 0) {
    const cors = (await import('@fastify/cors')).default;
    await app.register(cors, { origin: opts.corsOrigins });
  }

  // Refused credentials cost a counter and a sampled log line, not an audit row each.
  const rejections = new RejectionAccounting({ store: deps.store, counter: deps.metrics.requestsRejected, now: () => deps.clock.now(), log: deps.log, intervalMs: opts.rejectionSummaryMs });
  app.addHook('onClose', () => rejections.close());
  // Auth first, so its onRequest hook covers every route below.
  if (opts.auth) {
    const auth = opts.auth;
    installAuth(app, {
      ...auth,
      onRejected: async (i) => {
        rejections.reject({ route: i.route, method: i.method, status: i.status, reason: i.code, detail: i.reason, ip: i.ip, ...(i.tokenName ? { tokenName: i.tokenName } : {}) });
        await auth.onRejected?.(i);
      },
    });
  }
  // One bucket per client, shared by every mutating route (deploy, approve/reject, webhooks,
  // policy rollback): a route with its own `config.rateLimit` gets a store of its own in
  // @fastify/rate-limit, so a client refused on one route could go on posting to the next. Routes
  // opt in with `config: limit`; the OTLP receiver stays out (telemetry, not commands).
  const sharedLimit = app.rateLimit({ max: opts.rateLimitPerMinute, timeWindow: '1 minute' });
  app.addHook('onRoute', (route) => {
    if ((route.config as { mutating?: boolean } | undefined)?.mutating) route.onRequest = [...[route.onRequest ?? []].flat(), sharedLimit];
  });
  const limit = { mutating: true };
  registerHealthRoutes(app, deps);
  registerDeploymentRoutes(app, deps, limit);
  registerDecisionRoutes(app, deps, limit);
  registerAuditRoutes(app, deps);
  registerEventRoutes(app, deps, opts.events);
  registerPolicyRoutes(app, { store: deps.store, clock: deps.clock, actorOf, limit, ...(deps.onPolicyChanged ? { onActiveChanged: deps.onPolicyChanged } : {}) });
  if (opts.github) await registerGithubRoutes(app, { routeConfig: limit, onRejected: rejections.reject, ...opts.github });
  if (opts.otlp) await registerOtlpRoutes(app, opts.otlp);
  if (opts.remediation) await registerRemediationRoutes(app, opts.remediation, limit);
  await registerDashboard(app, opts.dashboardDir);
  return app;
}

/**
 * Every error ends here and becomes an answer; nothing a client sends can make it throw (a
 * failure while answering is logged, and the connection is closed instead).
 */
function sendError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  try {
    const { status, error } = describeError(err, req);
    if (status >= 500) req.log.error(err);
    if (reply.sent || reply.raw.headersSent) return void reply.raw.destroy();
    reply.code(status).send({ error });
  } catch (e) {
    req.log.error({ err: e }, 'answering an error failed');
    reply.raw.destroy();
  }
}

function describeError(err: FastifyError, req: FastifyRequest): { status: number; error: string } {
  const code = err.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
    // the inflater's own message says "decompressed"; Fastify's says nothing useful
    return { status: 413, error: code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `body larger than the limit of ${req.routeOptions.bodyLimit} bytes` : err.message };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || (err.statusCode === 415 && !/content-encoding/.test(err.message))) {
    return { status: 415, error: `unsupported content-type '${String(req.headers['content-type'] ?? '').slice(0, 100)}': send application/json` };
  }
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError || (/JSON/.test(err.message) && (err.statusCode ?? 500) < 500)) {
    return { status: 400, error: /^JSON (nested|holds)/.test(err.message) ? err.message : `malformed JSON: ${err.message}` };
  }
  if (err.validation) return { status: 400, error: err.message };
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return { status: err.statusCode, error: err.message };
  return { status: 500, error: 'internal error' };
}
