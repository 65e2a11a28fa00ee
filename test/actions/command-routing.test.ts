import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApiserver, type FakeKubeApiserver } from '../fakes/kube-apiserver.js';
import { parseConfig } from '../../src/config/load.js';
import { actuatorFromConfig, RoutingActuator } from '../../src/actions/from-config.js';
import type { ActionRequest, Actuator, Deployment } from '../../src/core/types.js';

const simulated: Actuator = { name: 'simulated', execute: async () => ({ ok: true, detail: 'simulated' }) };
const req = (service: string, environment: string, action: ActionRequest['action'] = 'rollback'): ActionRequest => ({
  id: `a-${service}`, action, reason: 't',
  deployment: { id: 'd', service, environment, version: 'v2', previousVersion: 'v1', at: 0, source: 't', receivedAt: 0, status: 'watching' } as Deployment,
});

describe('actuators from config', () => {
  let kube: FakeKubeApiserver | undefined;
  afterEach(async () => kube?.close());

  it('routes each deployment to its configured target (kubernetes, command, simulated)', async () => {
    kube = await startFakeKubeApiserver({ controllerDelayMs: 5 });
    const tpl = (image: string) => ({ metadata: { labels: { app: 'checkout' } }, spec: { containers: [{ name: 'app', image }] } });
    await kube.seedDeployment('production', 'checkout', [tpl('checkout:1'), tpl('checkout:2')]);
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kc-')), 'config');
    writeFileSync(kubeconfig, kube.kubeconfigYaml());
    const cfg = parseConfig(
      [
        'target:',
        '  kind: kubernetes',
        `  kubeconfig: ${kubeconfig}`,
        '  namespace: "{environment}"',
        '  rolloutTimeoutSeconds: 5',
        'services:',
        '  payments:',
        '    target:',
        '      kind: command',
        `      commands: { rollback: ["${process.execPath}", "-e", "process.stdout.write(process.argv.slice(1).join('|'))", "{service}", "{previousVersion}"] }`,
        '  search:',
        '    environments:',
        '      staging:',
        '        target: { kind: simulated }',
      ].join('\n'),
    );
    const act = actuatorFromConfig(cfg, simulated) as RoutingActuator;
    expect(act).toBeInstanceOf(RoutingActuator);
    const k = await act.execute(req('checkout', 'production'));
    expect(k.ok, k.detail).toBe(true);
    expect(k.changes).toMatchObject({ actuator: 'kubernetes', toRevision: 1 });
    const c = await act.execute(req('payments', 'production'));
    expect(c.ok, c.detail).toBe(true);
    expect(c.changes).toMatchObject({ actuator: 'command', stdout: 'payments|v1' });
    const s = await act.execute(req('search', 'staging'));
    expect(s).toMatchObject({ ok: true, detail: 'simulated', changes: { actuator: 'simulated' } });
    // an injected service name never reaches the command
    const evil = await act.execute({ ...req('payments', 'production'), deployment: { ...req('payments', 'production').deployment, previousVersion: '--eval=process.exit(9)' } });
    expect(evil.ok).toBe(false);
    expect(evil.detail).toMatch(/^rejected: previousVersion starts with '-'/);
  });

  it('keeps the world actuator when everything is simulated, and fails fast on a missing secret', () => {
    expect(actuatorFromConfig(parseConfig(''), simulated)).toBe(simulated);
    const cfg = parseConfig('target:\n  kind: webhook\n  url: https://x.example.com/hook\n  secret: { env: MISSING_HOOK_SECRET }\n');
    expect(() => actuatorFromConfig(cfg, simulated, {})).toThrow('target.secret: environment variable MISSING_HOOK_SECRET is not set');
  });
});
