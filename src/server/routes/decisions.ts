// Human approval: POST /api/decisions/:id/approve|reject {reason?}. The verdict is an event on
// the timeline; the watch picks it up at its next tick and acts (or not). Nothing is acted on
// here: a crash between the verdict and the action leaves the verdict on the timeline, and the
// resumed watch acts on it once (its action.requested claim and the reconcile in loop/watch.ts),
// so an approval gives exactly one action, a rejection none.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deploymentIdOfDecision } from '../../loop/deployments.js';
import { deriveState } from '../../loop/state.js';
import type { ServerDeps } from '../app.js';
import { actorOf } from '../auth.js';

const body = z
  .object({ reason: z.string({ error: 'reason must be a string' }).max(500, { error: 'reason is at most 500 characters' }).regex(/^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/, { error: 'reason must not contain control characters' }).optional() })
  .optional();

export function registerDecisionRoutes(app: FastifyInstance, deps: ServerDeps, limit: object): void {
  for (const verdict of ['approve', 'reject'] as const) {
    app.post<{ Params: { id: string } }>(`/api/decisions/:id/${verdict}`, { config: limit }, async (req, reply) => {
      const decisionId = req.params.id;
      const deploymentId = deploymentIdOfDecision(decisionId);
      if (!deploymentId) return reply.code(404).send({ error: `no decision ${decisionId}` });
      const b = body.safeParse(req.body ?? undefined);
      if (!b.success) return reply.code(400).send({ error: b.error.issues[0].message, field: 'reason' });
      const deployment = await deps.store.getDeployment(deploymentId);
      if (!deployment) return reply.code(404).send({ error: `no decision ${decisionId}` });
      if (deps.mayApprove && !deps.mayApprove(deployment, req.auth?.tokenName))
        return reply.code(403).send({ error: `this token is not an approver for ${deployment.service} in ${deployment.environment}` });
      const s = deriveState(await deps.store.events(deploymentId));
      const d = s.decisions.find((x) => x.id === decisionId);
      if (!d) return reply.code(404).send({ error: `no decision ${decisionId}` });
      if (s.completed) return reply.code(409).send({ error: `the watch of ${deploymentId} is over (${s.completed.status}): nothing to approve` });
      if (d.approval !== 'pending') {
        const why = d.approval === 'superseded' ? 'superseded by a newer decision' : d.approval === 'not_needed' ? 'not waiting for approval' : `already ${d.approval}`;
        return reply.code(409).send({ error: `decision ${decisionId} is ${why}` });
      }
      const type = verdict === 'approve' ? 'action.approved' : 'action.rejected';
      // Same dedupe key as the watch's approval timeout: whichever comes first is the verdict.
      const ev = await deps.store.append({
        deploymentId,
        type,
        at: deps.clock.now(),
        actor: actorOf(req),
        payload: { decisionId, reason: b.data?.reason ?? '' },
        dedupeKey: `${deploymentId}:${decisionId}:approval`,
      });
      if (ev.type !== type) return reply.code(409).send({ error: `decision ${decisionId} was already answered (${ev.type})` });
      // the watch may have superseded the decision between the read above and this append: the
      // verdict is then on the timeline but counts for nothing (the reducer ignores it), so say so
      const now = deriveState(await deps.store.events(deploymentId)).decisions.find((x) => x.id === decisionId);
      if (now?.approval === 'superseded') return reply.code(409).send({ error: `decision ${decisionId} was superseded by a newer decision before the verdict arrived` });
      deps.scheduler.watch(deployment);
      return reply.code(202).send({ decisionId, approval: verdict === 'approve' ? 'approved' : 'rejected', event: ev });
    });
  }
}
