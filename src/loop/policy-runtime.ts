// Which policy decides, and how the loop learns. The bandit decides by default (`policy.decide:
// bandit`): its prior mean is the transparent ScoringPolicy's judgement and it learns corrections
// online from every verified outcome; its versions, off-policy checks and rollbacks are visible in
// the API, the dashboard and the audit trail (`policy.updated`). `policy.decide: scoring` makes the
// evidence model alone decide while the bandit keeps learning in shadow; without a readable prior
// the scoring policy decides.
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import type { Policy } from '../core/types.js';
import { BanditPolicy, type BanditModel } from '../policy/bandit.js';
import { loadPrior } from '../policy/prior.js';
import { ScoringPolicy } from '../policy/scoring-policy.js';
import { LearningStage, PolicyVersions } from '../policy/versions.js';
import type { WatchHooks } from './watch.js';

export interface PolicyRuntime {
  /** the policy the next tick decides with */
  current(): Policy;
  /** the loop hook that turns outcomes into new policy versions */
  hooks: WatchHooks;
  /** swap the bandit's model (after an API/CLI rollback of the active version) */
  useModel(model: BanditModel): void;
}

export async function createPolicyRuntime(opts: {
  store: Store;
  clock: Pick<Clock, 'now'>;
  decide: 'scoring' | 'bandit';
  learn: boolean;
  log: (line: string) => void;
}): Promise<PolicyRuntime> {
  const scoring = new ScoringPolicy();
  const versions = new PolicyVersions(opts.store);
  let bandit: BanditPolicy | undefined;
  try {
    bandit = new BanditPolicy((await versions.ensurePrior(loadPrior(), opts.clock.now())).model);
  } catch (e) {
    // No shipped prior (or an unreadable one): keep deciding with the scoring policy, say why.
    opts.log(`policy: bandit unavailable (${e instanceof Error ? e.message : String(e)}); deciding with ${scoring.version}`);
  }
  const useModel = (m: BanditModel): void => {
    bandit = new BanditPolicy(m);
  };
  let promoted = false;
  const stage = new LearningStage(versions, opts.clock, (m) => {
    promoted = true;
    useModel(m);
  });
  const hooks: WatchHooks = {
    outcome: async (ctx) => {
      // an action a rule chose (a threshold breach) says nothing about the policy's own choices
      if (!opts.learn || !bandit || ctx.decision?.decision.overriddenBy) return;
      promoted = false;
      const meta = await stage.outcome(ctx);
      if (!meta) return;
      await opts.store.append({
        deploymentId: null,
        type: 'policy.updated',
        at: opts.clock.now(),
        actor: 'system',
        payload: { action: 'learned', version: meta.version, parent: meta.parent ?? null, promoted, fromDeployment: ctx.deployment.id, training: meta.training, metrics: meta.metrics },
        dedupeKey: `policy-learned:${ctx.deployment.id}`,
      });
    },
  };
  return {
    current: () => (opts.decide === 'bandit' && bandit ? bandit : scoring),
    hooks,
    useModel,
  };
}
