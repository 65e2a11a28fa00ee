// Policy versions over HTTP: GET /api/policy/versions (list, active marked), GET
// /api/policy/versions/:v (one version: metadata, threshold, weights summary), POST
// /api/policy/rollback {version} (make a stored version active again; recorded on the audit trail
// as a `policy.updated` event). Register with `registerPolicyRoutes(app, {store, clock, prior})`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Store } from '../core/store.js';
import type { Clock } from '../core/clock.js';
import { ACTIONS } from '../core/types.js';
import type { BanditModel } from '../policy/bandit.js';
import { PolicyVersions } from '../policy/versions.js';
import { loadPrior } from '../policy/prior.js';

export interface PolicyRouteDeps {
  store: Store;
  clock: Pick<Clock, 'now'>;
  /** the shipped prior, installed as the first version when none is stored (default: src/policy/prior.json) */
  prior?: BanditModel;
  /** who did it, for the audit trail (auth's actorOf); default 'user:api' */
  actorOf?: (req: FastifyRequest) => string;
  /** called after a rollback so the loop swaps the policy it decides with */
  onActiveChanged?: (model: BanditModel) => void;
  /** rate limit config for the mutating route */
  limit?: object;
}

const rollbackBody = z.object({ version: z.string({ error: 'version must be a string' }).min(1, { error: 'version is required' }).max(100) });

export function registerPolicyRoutes(app: FastifyInstance, deps: PolicyRouteDeps): void {
  const versions = new PolicyVersions(deps.store);
  let prior = deps.prior;
  const ready = async (): Promise<void> => {
    if (!prior) {
      try {
        prior = loadPrior();
      } catch {
        return; // no shipped prior: list what is stored
      }
    }
    await versions.ensurePrior(prior, deps.clock.now());
  };

  app.get('/api/policy/versions', async () => {
    await ready();
    const idx = await versions.index();
    return { active: idx?.active ?? null, versions: idx?.versions ?? [], history: idx?.history ?? [] };
  });

  app.get<{ Params: { v: string } }>('/api/policy/versions/:v', async (req, reply) => {
    await ready();
    const v = await versions.get(req.params.v);
    if (!v) {
      // a pruned version is still listed with what it learned from; only its weights are gone
      const meta = (await versions.list()).find((x) => x.version === req.params.v);
      if (meta?.pruned) return { meta, active: false, pruned: true };
      return reply.code(404).send({ error: await versions.missing(req.params.v) });
    }
    const idx = await versions.index();
    const m = v.model;
    return {
      meta: v.meta,
      active: idx?.active === m.version,
      actThreshold: m.actThreshold,
      featureNames: m.featureNames,
      samples: Object.fromEntries(ACTIONS.map((a) => [a, m.arms[a].n])),
      calibration: m.calibration,
      memory: m.memory.length,
    };
  });

  app.post('/api/policy/rollback', { config: deps.limit ?? {} }, async (req, reply) => {
    const b = rollbackBody.safeParse(req.body ?? {});
    if (!b.success) return reply.code(400).send({ error: b.error.issues[0].message, field: 'version' });
    await ready();
    const target = await versions.get(b.data.version);
    if (!target) return reply.code(404).send({ error: await versions.missing(b.data.version) });
    const prev = (await versions.index())?.active;
    const now = deps.clock.now();
    await versions.rollback(b.data.version, now, 'rollback (api)');
    await deps.store.append({ deploymentId: null, type: 'policy.updated', at: now, actor: deps.actorOf?.(req) ?? 'user:api', payload: { action: 'rollback', from: prev ?? null, to: b.data.version } });
    deps.onActiveChanged?.(target.model);
    return { active: b.data.version, previous: prev ?? null };
  });
}
