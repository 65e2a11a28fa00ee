import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandActuator, buildArgv } from '../../src/actions/command.js';
import { checkValue } from '../../src/actions/safe-values.js';
import type { ActionRequest, Deployment } from '../../src/core/types.js';

const script = fileURLToPath(new URL('../fixtures/commands/echo-argv.mjs', import.meta.url));
const node = process.execPath;

function req(over: Partial<Deployment> = {}, action: ActionRequest['action'] = 'rollback'): ActionRequest {
  const deployment: Deployment = {
    id: 'dep-1', service: 'checkout', environment: 'production', version: 'v2.15.0', previousVersion: 'v2.14.0',
    at: 0, source: 'test', receivedAt: 0, status: 'watching', ...over,
  };
  return { id: 'act-1', action, deployment, reason: 'test' };
}

describe('CommandActuator', () => {
  it('substitutes values as whole arguments and records exit code and output', async () => {
    const a = new CommandActuator({
      commands: { rollback: [node, script, 'rollback', '{release}', '{previousVersion}', '--namespace={namespace}', 'two words stay one'] },
      vars: { release: 'checkout-prod', namespace: 'shop' },
    });
    const res = await a.execute(req());
    expect(res.ok, res.detail).toBe(true);
    const printed = JSON.parse(String((res.changes as { stdout: string }).stdout).trim()) as string[];
    expect(printed).toEqual(['rollback', 'checkout-prod', 'v2.14.0', '--namespace=shop', 'two words stay one']);
    expect(res.changes).toMatchObject({ exitCode: 0, timedOut: false });
  });

  it('reports a failing command with its exit code and last stderr line', async () => {
    const a = new CommandActuator({ commands: { rollback: [node, script, '{service}'] }, env: { MODE: 'fail' } });
    const res = await a.execute(req());
    expect(res.ok).toBe(false);
    expect(res.detail).toMatch(/exited 3: Error: release not found/);
    expect(res.changes).toMatchObject({ exitCode: 3 });
  });

  it('rejects injection attempts with a reason and never runs the program', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cmd-'));
    const marker = join(dir, 'ran');
    // the program would create `marker` if it ever ran
    const a = new CommandActuator({ commands: { rollback: ['/usr/bin/touch', marker, '{service}', '{version}'] } });
    const attempts: Array<[Partial<Deployment>, RegExp]> = [
      [{ version: 'v1; rm -rf /' }, /version contains ";"/],
      [{ version: '$(id)' }, /version contains "\$"/],
      [{ version: 'v1`id`' }, /version contains "`"/],
      [{ version: 'v1 && curl x' }, /version contains " "/],
      [{ version: 'v1|nc' }, /version contains "\|"/],
      [{ service: '../../etc/passwd' }, /service contains '\.\.'/],
      [{ service: 'svc\nrm -rf /' }, /service contains a newline/],
      [{ version: '--kubeconfig=/tmp/evil' }, /version starts with '-'/],
      [{ service: '-rf' }, /service starts with '-'/],
      [{ version: '' }, /placeholder \{version\} has no value/],
    ];
    for (const [over, reason] of attempts) {
      const res = await a.execute(req(over));
      expect(res.ok).toBe(false);
      expect(res.detail).toMatch(/^rejected: /);
      expect(res.detail).toMatch(reason);
    }
    expect(() => execFileSync('test', ['-e', marker])).toThrow(); // never ran
  });

  it('refuses unknown placeholders and placeholders in the program name', () => {
    expect(() => buildArgv(['helm', '{nope}'], req())).toThrow(/unknown placeholder \{nope\}/);
    expect(() => buildArgv(['{service}', 'x'], req())).toThrow(/argv\[0\]/);
    expect(() => new CommandActuator({ commands: {}, vars: { ns: 'a;b' } })).toThrow(/vars.ns contains ";"/);
  });

  it('kills a command that runs past its timeout', async () => {
    const a = new CommandActuator({ commands: { rollback: [node, script] }, env: { MODE: 'sleep' }, timeoutSeconds: 0.3 });
    const t0 = Date.now();
    const res = await a.execute(req());
    expect(res.ok).toBe(false);
    expect(res.detail).toMatch(/timed out after 0.3 s/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('bounds the output it keeps', async () => {
    const a = new CommandActuator({ commands: { rollback: [node, script] }, env: { MODE: 'flood' }, keepBytes: 1000 });
    const res = await a.execute(req());
    expect(res.ok).toBe(true);
    const out = (res.changes as { stdout: string; outputTruncated: boolean });
    expect(out.outputTruncated).toBe(true);
    expect(out.stdout.length).toBeLessThan(2100);
    expect(out.stdout).toContain('END');
  });

  it('runs a real git command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'git-'));
    execFileSync('git', ['init', '-q', dir]);
    const a = new CommandActuator({ commands: { escalate: ['git', '-C', dir, 'rev-parse', '--is-inside-work-tree'] } });
    const res = await a.execute(req({}, 'escalate'));
    expect(res.ok, res.detail).toBe(true);
    expect((res.changes as { stdout: string }).stdout.trim()).toBe('true');
  });

  it('reports a program that does not exist', async () => {
    const a = new CommandActuator({ commands: { rollback: ['/nonexistent/helm', 'rollback'] } });
    const res = await a.execute(req());
    expect(res.ok).toBe(false);
    expect(res.detail).toMatch(/could not start .*ENOENT/);
  });

  it('accepts ordinary versions, digests and semver build metadata', () => {
    for (const v of ['v2.15.0', '2.15.0+build.7', 'sha256:abc123', 'feature/login-fix', 'registry.io/team/app@sha256:ab'])
      expect(checkValue('version', v)).toEqual({ ok: true });
  });
});
