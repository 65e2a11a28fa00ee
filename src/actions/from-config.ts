// Builds the actuator the config asks for. Targets can differ per service and per
// service+environment (config `services.<name>.target`, `services.<name>.environments.<env>.target`),
// so the result routes each request to the actuator of its deployment's target. `simulated` and
// `local` are the world's own actuator (passed in as `fallback`). All actuators are built up front
// so a bad target (missing secret, unreadable kubeconfig) stops startup, not a 3 a.m. rollback.
import type { ActionCheck, ActionContext, ActionRequest, ActionResult, Actuator } from '../core/types.js';
import { resolveSecret, targetFor, type ServiceConfig, type TargetConfig } from '../config/integrations.js';
import { KubernetesActuator } from './kubernetes.js';
import { ArgoRolloutsActuator } from './argo-rollouts.js';
import { CommandActuator } from './command.js';
import { WebhookActuator } from './webhook.js';

export function actuatorForTarget(t: TargetConfig, fallback: Actuator, env: NodeJS.ProcessEnv = process.env, where = 'target'): Actuator {
  switch (t.kind) {
    case 'simulated':
    case 'local':
      return fallback;
    case 'kubernetes':
      return new KubernetesActuator({
        kubeconfig: t.kubeconfig, context: t.context, namespace: t.namespace, deployment: t.deployment,
        scaleFactor: t.scaleFactor, maxReplicas: t.maxReplicas, rolloutTimeoutSeconds: t.rolloutTimeoutSeconds,
      });
    case 'argo-rollouts':
      return new ArgoRolloutsActuator({
        kubeconfig: t.kubeconfig, context: t.context, namespace: t.namespace, rollout: t.rollout, scaleFactor: t.scaleFactor, maxReplicas: t.maxReplicas,
      });
    case 'command':
      return new CommandActuator({
        commands: t.commands, vars: t.vars, timeoutSeconds: t.timeoutSeconds, cwd: t.cwd, env: t.env, statusArgv: t.statusArgv, statusTimeoutSeconds: t.statusTimeoutSeconds,
      });
    case 'webhook':
      return new WebhookActuator({
        url: t.url, secret: resolveSecret(t.secret, env, `${where}.secret`), attempts: t.attempts, backoffMs: t.backoffMs, timeoutMs: t.timeoutMs,
      });
  }
}

export class RoutingActuator implements Actuator {
  readonly name: string;
  private readonly byKey = new Map<string, Actuator>();

  constructor(
    private readonly cfg: { target: TargetConfig; services: Record<string, ServiceConfig> },
    private readonly fallback: Actuator,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const build = (t: TargetConfig, where: string) => {
      const k = JSON.stringify(t);
      if (!this.byKey.has(k)) this.byKey.set(k, actuatorForTarget(t, fallback, env, where));
    };
    build(cfg.target, 'target');
    for (const [svc, s] of Object.entries(cfg.services)) {
      if (s.target) build(s.target, `services.${svc}.target`);
      for (const [e, es] of Object.entries(s.environments ?? {})) if (es.target) build(es.target, `services.${svc}.environments.${e}.target`);
    }
    const kinds = [...new Set([...this.byKey.values()].map((a) => a.name))];
    this.name = kinds.length === 1 ? kinds[0] : `routing(${kinds.join(',')})`;
  }

  /** The actuator a deployment's actions go to. */
  actuatorFor(service: string, environment: string): Actuator {
    return this.byKey.get(JSON.stringify(targetFor(this.cfg, service, environment))) ?? this.fallback;
  }

  async execute(req: ActionRequest, ctx?: ActionContext): Promise<ActionResult> {
    const a = this.actuatorFor(req.deployment.service, req.deployment.environment);
    const r = await a.execute(req, ctx);
    return { ...r, changes: { actuator: a.name, ...(r.changes ?? {}) } };
  }

  async check(req: ActionRequest, ctx?: ActionContext): Promise<ActionCheck> {
    const a = this.actuatorFor(req.deployment.service, req.deployment.environment);
    if (!a.check) return { state: 'unknown', evidence: `the ${a.name} actuator cannot tell whether it already acted` };
    const c = await a.check(req, ctx);
    return c.state === 'done' ? { state: 'done', result: { ...c.result, changes: { actuator: a.name, ...(c.result.changes ?? {}) } } } : c;
  }

  async close(): Promise<void> {
    for (const a of new Set(this.byKey.values())) if (a !== this.fallback) await a.close?.();
  }
}

/** The world's actuator when every target is simulated/local, else a router over the configured ones. */
export function actuatorFromConfig(cfg: { target: TargetConfig; services: Record<string, ServiceConfig> }, fallback: Actuator, env: NodeJS.ProcessEnv = process.env): Actuator {
  const targets = [cfg.target, ...Object.values(cfg.services).flatMap((s) => [s.target, ...Object.values(s.environments ?? {}).map((e) => e.target)])];
  const real = targets.some((t) => t && t.kind !== 'simulated' && t.kind !== 'local');
  return real ? new RoutingActuator(cfg, fallback, env) : fallback;
}
