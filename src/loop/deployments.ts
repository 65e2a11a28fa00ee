// The intake flow shared by every delivery path (generic JSON, the Kestra-style path, GitHub,
// the demo): store the deployment once per delivery, record it on the timeline, start its watch.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { CreateDeploymentResult, Store } from '../core/store.js';
import type { DeploymentSpec } from '../core/types.js';
import type { Scheduler } from './scheduler.js';

/** random bytes drawn 4 KiB at a time: one randomBytes call per delivery cost more than the rest of its id */
let pool = Buffer.alloc(0);
let poolAt = 0;

/** Ids without '-' so decision ids (`<deployment>-d<tick>`) split unambiguously. */
export function newDeploymentId(now: number): string {
  if (poolAt + 4 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 4;
  return `dep${now.toString(36)}${pool.toString('hex', poolAt - 4, poolAt)}`;
}

export function deploymentIdOfDecision(decisionId: string): string | undefined {
  const m = /^(dep[a-z0-9]+)-d\d+$/.exec(decisionId);
  return m?.[1];
}

export interface ReceiveMeta {
  source: string;
  idempotencyKey: string;
  /** who delivered it: 'system', 'token:<name>', 'user:<name>' */
  actor?: string;
}

export class DeploymentIntake {
  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly onCreated?: (d: CreateDeploymentResult['deployment']) => void,
  ) {}

  async receive(input: DeploymentSpec, meta: ReceiveMeta): Promise<CreateDeploymentResult> {
    const spec = { ...input };
    if (!spec.previousVersion) {
      // The version running before is the last one we saw deployed there.
      const [prev] = await this.store.listDeployments({ service: spec.service, environment: spec.environment, limit: 1 });
      if (prev && prev.version !== spec.version) spec.previousVersion = prev.version;
    }
    const receivedAt = this.clock.now();
    const id = newDeploymentId(receivedAt);
    // the deployment and its first event in one write, batched with the other deliveries of
    // this moment (one commit for all): when this returns, both are stored
    const r = await this.store.createDeployment(spec, {
      id,
      source: meta.source,
      receivedAt,
      idempotencyKey: meta.idempotencyKey,
      firstEvent: {
        type: 'deployment.received',
        at: receivedAt,
        actor: meta.actor ?? 'system',
        payload: { deployment: spec, source: meta.source, idempotencyKey: meta.idempotencyKey },
        dedupeKey: `${id}:received`,
      },
      // the watch's start in the same write: the watch then begins from these events, with no
      // second write and no read of the timeline per delivery
      thenEvents: [this.scheduler.startedEvent(id, spec.at, receivedAt)],
    });
    if (!r.created) return r;
    this.onCreated?.(r.deployment);
    await this.scheduler.supersede(r.deployment);
    this.scheduler.watch(r.deployment, r.events);
    return r;
  }
}
