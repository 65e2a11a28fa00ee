// POST /api/webhooks/github and POST /api/webhooks/argocd.
// Both live in their own encapsulated Fastify context whose JSON parser keeps the raw body:
// GitHub's HMAC is over the exact bytes sent, and re-serialising parsed JSON would not match.
// Every refusal (bad signature/secret, replayed delivery) is reported through `onRejected` (counted
// on /metrics, sampled into the log, summed into one audit event per interval: rejections.ts) and
// nothing is acted on or stored for it. These routes are exempt from API tokens (auth.ts) because the sender
// authenticates with the webhook secret instead.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store, CreateDeploymentResult } from '../core/store.js';
import type { DeploymentSpec } from '../core/types.js';
import { checkDeliveryId, parseGithubEvent, verifyGithubSignature, type GithubIntakeOptions, type GithubDeploymentRef } from '../intake/github.js';
import { ARGOCD_TOKEN_HEADER, parseArgocdNotification, type ArgocdIntakeOptions } from '../intake/argocd.js';
import type { Rejection } from './rejections.js';

export interface GithubRoutesDeps {
  store: Pick<Store, 'getState' | 'setState'>;
  now: () => number;
  /** hands an accepted deployment to the loop (DeploymentIntake.receive) */
  receive: (spec: DeploymentSpec, meta: { source: string; idempotencyKey: string; actor?: string }) => Promise<CreateDeploymentResult>;
  /** GitHub intake; without a secret the route answers 503 (never accepts unsigned events) */
  github?: Omit<GithubIntakeOptions, 'now'> & { secret?: string };
  /** Argo CD intake; without a token the route answers 503 */
  argocd?: Omit<ArgocdIntakeOptions, 'now'> & { token?: string };
  bodyLimitBytes?: number;
  /** route config, e.g. the server's rate limit: {rateLimit: {max: 600, timeWindow: '1 minute'}} */
  routeConfig?: object;
  /** every refused delivery (the server's RejectionAccounting.reject) */
  onRejected?: (r: Rejection) => void;
}

/** Key under which the GitHub deployment a commander deployment came from is kept (for statuses). */
export const githubRefKey = (deploymentId: string) => `github:ref:${deploymentId}`;
const deliveryKey = (id: string) => `github:delivery:${id}`;

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

function sameSecret(a: string, b: string): boolean {
  // hash first so lengths match and the comparison time does not depend on the length
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export async function registerGithubRoutes(app: FastifyInstance, deps: GithubRoutesDeps): Promise<void> {
  const inFlight = new Set<string>();
  const bodyLimit = deps.bodyLimitBytes ?? 1_048_576;

  const rejected = (req: FastifyRequest, reply: FastifyReply, status: number, code: string, reason: string, source: string) => {
    deps.onRejected?.({ route: req.routeOptions.url ?? req.url.split('?')[0], method: req.method, status, reason: code, detail: reason, ip: req.ip, source });
    return reply.code(status).send({ error: reason });
  };

  const accept = async (reply: FastifyReply, r: CreateDeploymentResult) =>
    reply.code(r.created ? 202 : 200).send({ deploymentId: r.deployment.id, created: r.created, status: r.deployment.status });

  await app.register(async (hooks) => {
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'string', bodyLimit }, (req, body, done) => {
      req.rawBody = body as string;
      done(null, body);
    });

    hooks.post('/api/webhooks/github', { config: deps.routeConfig ?? {} }, async (req, reply) => {
      const cfg = deps.github;
      if (!cfg?.secret) return reply.code(503).send({ error: 'GitHub intake is not configured: set github.webhookSecret (or COMMANDER_GITHUB_WEBHOOK_SECRET)' });
      const raw = req.rawBody ?? '';
      const sig = await verifyGithubSignature(cfg.secret, raw, req.headers['x-hub-signature-256'] as string | undefined);
      const delivery = req.headers['x-github-delivery'] as string | undefined;
      const event = req.headers['x-github-event'] as string | undefined;
      if (!sig.ok) return rejected(req, reply, 401, req.headers['x-hub-signature-256'] ? 'bad_signature' : 'missing_signature', sig.reason, 'github');
      const d = checkDeliveryId(delivery);
      if (!d.ok) return rejected(req, reply, 400, 'bad_delivery_id', d.reason, 'github');
      if (inFlight.has(delivery!) || (await deps.store.getState(deliveryKey(delivery!))) !== undefined)
        return rejected(req, reply, 409, 'replayed_delivery', `delivery ${delivery} was already received (replay)`, 'github');
      inFlight.add(delivery!);
      try {
        await deps.store.setState(deliveryKey(delivery!), { at: deps.now(), event });
        let body: unknown;
        try {
          const ct = String(req.headers['content-type'] ?? '');
          // GitHub's "application/x-www-form-urlencoded" content type sends the JSON in `payload`
          const text = ct.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(raw).get('payload') ?? '' : raw;
          body = JSON.parse(text);
        } catch {
          return reply.code(400).send({ error: 'body is not valid JSON' });
        }
        const r = parseGithubEvent(event, body, { ...cfg, now: deps.now() });
        if (r.kind === 'ignored') return reply.code(202).send({ ignored: r.reason });
        if (r.kind === 'error') return reply.code(r.status).send({ error: r.error, ...(r.field ? { field: r.field } : {}) });
        const created = await deps.receive(r.spec, { source: 'github', idempotencyKey: r.idempotencyKey, actor: 'system' });
        const ref: GithubDeploymentRef = r.github;
        await deps.store.setState(githubRefKey(created.deployment.id), ref);
        return accept(reply, created);
      } finally {
        inFlight.delete(delivery!);
      }
    });

    hooks.post('/api/webhooks/argocd', { config: deps.routeConfig ?? {} }, async (req, reply) => {
      const cfg = deps.argocd;
      if (!cfg?.token) return reply.code(503).send({ error: 'Argo CD intake is not configured: set argocd.token (or COMMANDER_ARGOCD_TOKEN)' });
      const presented = req.headers[ARGOCD_TOKEN_HEADER];
      if (typeof presented !== 'string' || !presented) return rejected(req, reply, 401, 'missing_secret', 'missing X-Commander-Token header', 'argocd');
      if (!sameSecret(presented, cfg.token)) return rejected(req, reply, 401, 'bad_secret', 'X-Commander-Token does not match', 'argocd');
      let body: unknown;
      try {
        body = JSON.parse(req.rawBody ?? '');
      } catch {
        return reply.code(400).send({ error: 'body is not valid JSON (check the notification template)' });
      }
      const r = parseArgocdNotification(body, { ...cfg, now: deps.now() });
      if (r.kind === 'ignored') return reply.code(202).send({ ignored: r.reason });
      if (r.kind === 'error') return reply.code(r.status).send({ error: r.error, ...(r.field ? { field: r.field } : {}) });
      return accept(reply, await deps.receive(r.spec, { source: 'argocd', idempotencyKey: r.idempotencyKey, actor: 'system' }));
    });
  });
}
