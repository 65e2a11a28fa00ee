import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.js';
import { configError } from './config-error.js';
import { resolveSecret, targetFor } from '../../src/config/integrations.js';

const example = (name: string) => readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');


describe('integration config sections', () => {
  it('parses the Kubernetes + Prometheus example', () => {
    const c = parseConfig(example('kubernetes-prometheus.yaml'), 'kubernetes-prometheus.yaml');
    expect(c.target).toMatchObject({ kind: 'kubernetes', namespace: '{environment}', deployment: '{service}', maxReplicas: 20 });
    expect(c.auth.tokens.map((t) => t.role)).toEqual(['viewer', 'operator', 'admin']);
    expect(c.sources.prometheus).toMatchObject({ preset: 'kubernetes' });
    expect(targetFor(c, 'search', 'production')).toMatchObject({ kind: 'argo-rollouts', rollout: 'search-api' });
    expect(targetFor(c, 'checkout', 'production').kind).toBe('kubernetes');
    expect(c.services.checkout.approval).toMatchObject({ alwaysAsk: ['rollback'] });
    expect(c.notifications.slack[0]).toMatchObject({ name: 'payments-oncall', webhookUrl: { env: 'SLACK_WEBHOOK_PAYMENTS' } });
    expect(c.github).toMatchObject({ watchOn: 'deployment_status', services: { 'acme/checkout-service': 'checkout' } });
  });

  it('parses the Helm / command example', () => {
    const c = parseConfig(example('helm-command.yaml'), 'helm-command.yaml');
    expect(c.target).toMatchObject({ kind: 'command', commands: { rollback: ['helm', 'rollback', '{service}-{environment}', '--namespace', '{namespace}', '--wait', '--timeout', '5m0s'] } });
    expect(targetFor(c, 'payments', 'production')).toMatchObject({ kind: 'command', commands: { rollback: ['argocd', 'app', 'rollback', 'payments-{environment}', '--prune'] } });
    expect(targetFor(c, 'checkout', 'staging')).toMatchObject({ kind: 'webhook' });
    expect(targetFor(c, 'other', 'production').kind).toBe('command');
    expect(c.auth.tokens).toEqual([]);
  });

  it('defaults to the simulated target with nothing configured', () => {
    const c = parseConfig('', 'empty.yaml');
    expect(c.target).toEqual({ kind: 'simulated' });
    expect(c.services).toEqual({});
  });

  it('names the line and the field of a mistake', () => {
    expect(configError('target:\n  kind: nomad\n')).toMatch(/^c\.yaml:2: target\.kind: kind must be one of simulated, local, kubernetes/);
    expect(configError('target:\n  kind: command\n  commands:\n    rollback: "helm rollback x"\n')).toMatch(/^c\.yaml:4: target\.commands\.rollback: must be a list of arguments/);
    expect(configError('target:\n  kind: command\n  commands:\n    rollback: ["{service}", "x"]\n')).toMatch(/^c\.yaml:4: .*may not contain a placeholder/);
    expect(configError('auth:\n  tokens:\n    - name: ci\n      role: operator\n      hash: dc_plaintexttoken\n')).toMatch(/^c\.yaml:5: auth\.tokens\.0\.hash: .*never the token itself/);
    expect(configError('services:\n  Check_Out:\n    thresholds: {}\n')).toMatch(/^c\.yaml:2: services\.Check_Out: .*service names/);
    expect(configError('target:\n  kind: kubernetes\n  namespace: "a;b"\n')).toMatch(/^c\.yaml:3: target\.namespace/);
    expect(configError('target:\n  kind: kubernetes\n  deploymnet: x\n')).toMatch(/^c\.yaml:\d+: target.*deploymnet/);
  });

  it('resolves secrets from the environment and names a missing one', () => {
    expect(resolveSecret({ env: 'X_SECRET' }, { X_SECRET: 'v' })).toBe('v');
    expect(resolveSecret('inline', {})).toBe('inline');
    expect(() => resolveSecret({ env: 'NOPE' }, {}, 'notifications.slack[0].webhookUrl')).toThrow('notifications.slack[0].webhookUrl: environment variable NOPE is not set');
  });
});

describe('per-service approval policy', () => {
  const c = parseConfig(example('kubernetes-prometheus.yaml'));
  it('merges environment over service and only ever tightens the guard', async () => {
    const { approvalFor, applyApprovalPolicy, mayApprove, thresholdsFor } = await import('../../src/config/integrations.js');
    const prod = approvalFor(c, 'checkout', 'production');
    const staging = approvalFor(c, 'checkout', 'staging');
    expect(prod).toMatchObject({ alwaysAsk: ['rollback'], approvers: ['sre-lead'] });
    expect(staging).toMatchObject({ alwaysAsk: ['rollback'], requireApproval: false, autoActConfidence: 0.5 });
    const exec = { mode: 'execute', reason: 'confident' };
    expect(applyApprovalPolicy(exec, { action: 'rollback', confidence: 0.99 }, prod)).toMatchObject({ mode: 'await_approval', reason: 'rollback of this service always needs approval' });
    expect(applyApprovalPolicy(exec, { action: 'scale_up', confidence: 0.99 }, prod)).toBe(exec);
    expect(applyApprovalPolicy(exec, { action: 'scale_up', confidence: 0.4 }, staging)).toMatchObject({ mode: 'await_approval' });
    const dry = { mode: 'dry_run', reason: 'dry run' };
    expect(applyApprovalPolicy(dry, { action: 'rollback', confidence: 0.99 }, prod)).toBe(dry);
    expect(mayApprove(prod, 'sre-lead')).toBe(true);
    expect(mayApprove(prod, 'ci')).toBe(false);
    expect(mayApprove(approvalFor(c, 'search', 'production'), 'ci')).toBe(true);
    expect(thresholdsFor(c, 'checkout', 'production')).toEqual({ error_rate: 0.02, latency_p95_ms: 800 });
  });
});
