// A "world" is what the commander watches and acts on, chosen by the composition root: the
// simulated world (default for `demo --simulated`), or later a live world of real processes.
// It supplies signal sources and an actuator, and may keep deploying versions by itself.
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import type { Actuator, Deployment, DeploymentSpec, SignalSource } from '../core/types.js';
import type { DeploymentIntake } from '../loop/deployments.js';
import type { Scheduler } from '../loop/scheduler.js';
import type { OtlpBuffer } from '../signals/otlp.js';

export interface WorldContext {
  clock: Clock;
  store: Store;
  log: (msg: string) => void;
  /** the OTLP receiver's buffer (what services push to /v1/*), for worlds that read it */
  otlp?: OtlpBuffer;
  /** a world built for one watch (a worker's job): what it restores can be limited to this deployment's service */
  deployment?: Deployment;
}

export interface World {
  readonly name: string;
  sources: SignalSource[];
  actuator: Actuator;
  /** environment of a deployment whose body names none (a live world's own); default production */
  defaultEnvironment?: string;
  /** the demo's next deployment (an empty body on the concept's path) */
  nextDeploy?(): DeploymentSpec;
  /** a deployment arrived through the intake (API, webhook, the world itself): a world that runs real processes may deploy it */
  onDeployment?(deployment: Deployment): void;
  /** start deploying by itself (after the loop resumed its watches) */
  start?(intake: DeploymentIntake, scheduler: Scheduler, info?: { url: string }): Promise<void>;
  stop?(): Promise<void>;
}

export type WorldFactory = (ctx: WorldContext) => Promise<World>;
