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
import { registerEventRoutes } from './routes/events.js';
import { registerPolicyRoutes } from './policy-routes.js';
import type { BanditModel } from '../policy/bandit.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerDashboard } from './dashboard.js';
import { actorOf, installAuth, REDACT_PATHS, type AuthOptions } from './auth.js';
import { registerGithubRoutes, type GithubRoutesDeps } from './github-routes.js';
import { registerOtlpRoutes, type OtlpRouteDeps } from './otlp-routes.js';

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
  /** whether this token may answer approvals for this service/environment (per-service approvers) */
  mayApprove?: (deployment: { service: string; environment: string }, tokenName: string | undefined) => boolean;
}

export async function buildServer(deps: ServerDeps, opts: ServerOptions): Promise<FastifyInstance> {
  // credentials never reach the logs (auth.ts REDACT_PATHS)
  const app = Fastify({ logger: opts.logger ? { redact: { paths: REDACT_PATHS, censor: '[redacted]' } } : false, bodyLimit: opts.bodyLimitBytes });

  // JSON with prototype-poisoning protection (Fastify's own parser), but an empty body is
  // "no body" rather than an error: the concept's curl posts nothing at all.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    json(req, body as string, done);
  });

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

  app.setErrorHandler((err: FastifyError, req, reply) => sendError(err, req, reply, opts.bodyLimitBytes));
  await app.register(rateLimit, {
    global: false,
    // thrown by the plugin, then answered by sendError below as {error}
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: 'Too Many Requests', message: `rate limit: at most ${ctx.max} requests per minute; retry in ${ctx.after}` }),
  });
  if (opts.corsOrigins && opts.corsOrigins.length > 0) {
    const cors = (await import('@fastify/cors')).default;
    await app.register(cors, { origin: opts.corsOrigins });
  }

  // Auth first, so its onRequest hook covers every route below.
  if (opts.auth) installAuth(app, opts.auth);
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
  registerEventRoutes(app, deps);
  registerPolicyRoutes(app, { store: deps.store, clock: deps.clock, actorOf, limit, ...(deps.onPolicyChanged ? { onActiveChanged: deps.onPolicyChanged } : {}) });
  if (opts.github) await registerGithubRoutes(app, { routeConfig: limit, ...opts.github });
  if (opts.otlp) await registerOtlpRoutes(app, opts.otlp);
  await registerDashboard(app, opts.dashboardDir);
  return app;
}

function sendError(err: FastifyError, req: FastifyRequest, reply: FastifyReply, bodyLimit: number): void {
  const code = err.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
    reply.code(413).send({ error: `body larger than the limit of ${bodyLimit} bytes` });
  } else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) {
    reply.code(415).send({ error: `unsupported content-type '${String(req.headers['content-type'] ?? '')}': send application/json` });
  } else if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError || /JSON/.test(err.message) && (err.statusCode ?? 500) < 500) {
    reply.code(400).send({ error: `malformed JSON: ${err.message}` });
  } else if (err.validation) {
    reply.code(400).send({ error: err.message });
  } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    reply.code(err.statusCode).send({ error: err.message });
  } else {
    req.log.error(err);
    reply.code(500).send({ error: 'internal error' });
  }
}
