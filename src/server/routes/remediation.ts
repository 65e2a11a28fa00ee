// Remediation over HTTP:
//   GET  /api/deployments/:id/remediation   state: status, branch, PR, diffstat, review findings
//   POST /api/deployments/:id/remediation   {mode?, dryRun?} (operator): 202 starts the PR in the
//        background; 409 while one runs or when nothing was rolled back; `dryRun: true` answers
//        200 with the preview (branch, range, commits, diffstat, title, body) and sends nothing
//   POST /api/webhooks/github/pull-request  GitHub `pull_request` events (HMAC-signed): review
//        other PRs of a configured repository, when remediation.review.pullRequests is on
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { verifyGithubSignature } from '../../intake/github.js';
import { RemediationRefused } from '../../remediation/remediate.js';
import type { RemediationService } from '../../remediation/service.js';
import { actorOf } from '../auth.js';

const ID_RE = /^[A-Za-z0-9_-]{1,80}$/;
const body = z
  .object({ mode: z.enum(['revert', 'agent'], { error: 'mode must be revert or agent' }).optional(), dryRun: z.boolean({ error: 'dryRun must be true or false' }).optional() })
  .strict()
  .optional();

export interface RemediationRouteDeps {
  service: RemediationService;
  /** review pull_request webhooks of other PRs (remediation.review.pullRequests) */
  reviewPullRequests: boolean;
  webhookSecret?: string;
  bodyLimitBytes: number;
  log?: (line: string) => void;
}

export async function registerRemediationRoutes(app: FastifyInstance, deps: RemediationRouteDeps, limit: object): Promise<void> {
  const { service } = deps;
  app.get<{ Params: { id: string } }>('/api/deployments/:id/remediation', async (req, reply) => {
    if (!ID_RE.test(req.params.id)) return reply.code(400).send({ error: 'malformed deployment id', field: 'id' });
    const v = await service.view(req.params.id);
    return v ?? reply.code(404).send({ error: `no deployment ${req.params.id}` });
  });

  app.post<{ Params: { id: string } }>('/api/deployments/:id/remediation', { config: limit }, async (req, reply) => {
    const { id } = req.params;
    if (!ID_RE.test(id)) return reply.code(400).send({ error: 'malformed deployment id', field: 'id' });
    const b = body.safeParse(req.body ?? undefined);
    if (!b.success) return reply.code(400).send({ error: b.error.issues[0].message, field: b.error.issues[0].path.join('.') || 'body' });
    const v = await service.view(id);
    if (!v) return reply.code(404).send({ error: `no deployment ${id}` });
    if (v.running) return reply.code(409).send({ error: `a remediation of ${id} is running`, state: v });
    if (!v.rolledBack) return reply.code(409).send({ error: `deployment ${id} was not rolled back (status: ${v.status === 'none' ? 'no remediation' : v.status}): there is nothing to remediate` });
    if (!v.configured) return reply.code(400).send({ error: 'no repository is configured for this service: set remediation.repo (or remediation.services.<service>.repo)' });
    const mode = b.data?.mode;
    if (b.data?.dryRun) {
      try {
        const r = await service.preview(id, mode);
        if (r === 'running') return reply.code(409).send({ error: `a remediation of ${id} is running` });
        if (r.status === 'failed') return reply.code(422).send({ error: r.reason, stage: r.stage });
        return { preview: { branch: r.branch, mode: r.mode, range: r.range, commits: r.commits, diffstat: r.diffstat, title: r.title, body: r.body } };
      } catch (e) {
        if (e instanceof RemediationRefused) return reply.code(e.status).send({ error: e.message });
        throw e;
      }
    }
    if (v.status === 'pr_opened' && v.pr && (mode === undefined || mode === v.mode)) return reply.code(200).send({ state: v, note: `pull request #${v.pr.number} is already open` });
    if (!service.start(id, { ...(mode ? { mode } : {}), actor: actorOf(req) })) return reply.code(409).send({ error: `a remediation of ${id} is running` });
    return reply.code(202).send({ status: 'running', links: { self: `/api/deployments/${id}/remediation` } });
  });

  // Signed by GitHub, not by an API token (under the public /api/webhooks/github prefix).
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: deps.bodyLimitBytes }, (_req, raw, done) => done(null, raw));
    scope.post('/api/webhooks/github/pull-request', { config: limit }, async (req, reply) => {
      if (!deps.reviewPullRequests) return reply.code(404).send({ error: 'reviews of other pull requests are off (remediation.review.pullRequests)' });
      if (!deps.webhookSecret) return reply.code(503).send({ error: 'set github.webhookSecret to receive signed pull_request webhooks' });
      const raw = typeof req.body === 'string' ? req.body : '';
      const sig = await verifyGithubSignature(deps.webhookSecret, raw, req.headers['x-hub-signature-256'] as string | undefined);
      if (!sig.ok) return reply.code(401).send({ error: sig.reason });
      const event = req.headers['x-github-event'];
      if (event === 'ping') return reply.code(200).send({ ok: true });
      if (event !== 'pull_request') return reply.code(202).send({ ignored: `event ${String(event)}` });
      let p: { action?: unknown; number?: unknown; repository?: { full_name?: unknown } };
      try {
        p = JSON.parse(raw) as typeof p;
      } catch {
        return reply.code(400).send({ error: 'body is not valid JSON' });
      }
      if (!['opened', 'synchronize', 'reopened', 'ready_for_review'].includes(String(p.action))) return reply.code(202).send({ ignored: `action ${String(p.action)}` });
      const repository = String(p.repository?.full_name ?? '');
      const number = Number(p.number);
      if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository) || !Number.isInteger(number) || number < 1) return reply.code(400).send({ error: 'payload needs repository.full_name and number' });
      void service.reviewWebhookPull(repository, number).then(
        (r) => deps.log?.(r ? `review ${repository}#${number}: ${r.posted ? 'posted' : r.reason}` : `review ${repository}#${number}: not a configured repository`),
        (e: unknown) => deps.log?.(`review ${repository}#${number}: ${e instanceof Error ? e.message : String(e)}`),
      );
      return reply.code(202).send({ reviewing: `${repository}#${number}` });
    });
  });
}
