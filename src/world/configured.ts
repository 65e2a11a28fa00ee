// The configured world: what `serve` watches when the config names real signal sources
// (`sources:` prometheus / scrape / otlp / loki). Signals come from those sources; actions go to
// the configured target. Kubernetes, Argo Rollouts, command and webhook targets are routed by the
// composition root (actions/from-config.ts) and never reach this world's own actuator; a `local`
// target runs real processes here. With no target that can act, an action fails with a clear
// reason instead of acting on a simulated service that is not the one being watched.
import type { ActionCheck, ActionRequest, ActionResult, Actuator } from '../core/types.js';
import type { Config } from '../config/schema.js';
import type { TargetConfig } from '../config/integrations.js';
import { LocalActuator } from '../actions/local.js';
import { sourcesFromConfig } from './sources-from-config.js';
import type { World, WorldFactory } from './types.js';

/** Does the config name at least one real signal source? */
export function hasConfiguredSources(config: Config): boolean {
  const s = config.sources;
  return !!(s.prometheus || s.scrape || s.loki || s.otlp);
}

/** Says, for every action, that there is nothing here to act on. */
export class NoTargetActuator implements Actuator {
  readonly name = 'none';
  async execute(request: ActionRequest): Promise<ActionResult> {
    return {
      ok: false,
      detail: `no target to ${request.action} ${request.deployment.service} on: set \`target:\` in the config (kubernetes, argo-rollouts, command, webhook or local)`,
    };
  }

  async check(): Promise<ActionCheck> {
    return { state: 'not_done', evidence: 'there is no target: nothing can have been done' };
  }
}

/** The first `local` target in the config (global, then per service/environment), if any. */
function localTarget(config: Config): Extract<TargetConfig, { kind: 'local' }> | undefined {
  const all = [config.target, ...Object.values(config.services).flatMap((s) => [s.target, ...Object.values(s.environments ?? {}).map((e) => e.target)])];
  return all.find((t): t is Extract<TargetConfig, { kind: 'local' }> => t?.kind === 'local');
}

/** The configured world's factory, or undefined when the config names no source (keep the default). */
export function configuredWorldFactory(config: Config): WorldFactory | undefined {
  if (!hasConfiguredSources(config)) return undefined;
  return async (ctx): Promise<World> => {
    const built = sourcesFromConfig(config, { ...(ctx.otlp ? { otlp: ctx.otlp } : {}), clock: ctx.clock });
    const t = localTarget(config);
    const local = t
      ? new LocalActuator({
          ...(t.command ? { command: t.command } : {}),
          args: t.args,
          ...(t.env ? { env: t.env } : {}),
          ...(t.versionEnv ? { versionEnv: t.versionEnv } : {}),
          healthPath: t.healthPath,
          maxReplicas: t.maxReplicas,
          startTimeoutMs: t.startTimeoutSeconds * 1000,
        })
      : undefined;
    ctx.log(`watching with configured sources: ${built.sources.map((s) => s.name).join(', ') || 'none'}`);
    return {
      name: 'configured',
      sources: built.sources,
      actuator: local ?? new NoTargetActuator(),
      async start() {
        built.start();
      },
      async stop() {
        await built.close();
        await local?.close();
      },
    };
  };
}
