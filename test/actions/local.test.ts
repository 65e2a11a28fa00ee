// The local actuator with real processes of the demo service: deploy, rollback (previous
// version healthy before the bad one stops), scale-up, idempotency, argv validation, and
// cleanup — including after the commander itself is SIGKILLed.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalActuator, sweepOrphans } from '../../src/actions/local.js';
import type { ActionRequest, Deployment } from '../../src/core/types.js';
import { DEMO_SERVICE_ARGS, entryArgs } from '../demo/service-cmd.js';

const stateDir = mkdtempSync(join(tmpdir(), 'local-act-'));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
const version = async (url: string): Promise<string> => ((await (await fetch(url)).json()) as { version: string }).version;

const actuator = new LocalActuator({
  args: [...DEMO_SERVICE_ARGS(), '--port', '{port}', '--version', '{version}', '--service', '{service}', '--environment', '{environment}'],
  versionEnv: { 'v2.0.0': { DEMO_FAULT: 'throw' } },
  stateDir,
  startTimeoutMs: 45_000,
});
afterAll(async () => {
  await actuator.close();
});

function request(id: string, action: ActionRequest['action'], d: Partial<Deployment> = {}): ActionRequest {
  return {
    id,
    action,
    reason: 'test',
    deployment: { id: 'd1', service: 'checkout', environment: 'demo', version: 'v2.0.0', previousVersion: 'v1.0.0', at: 0, source: 'test', receivedAt: 0, status: 'acting', ...d },
  };
}

describe('local actuator', () => {
  it('deploys, rolls back to the previous version, scales up, and is idempotent', async () => {
    const [v1] = await actuator.deploy({ service: 'checkout', environment: 'demo', version: 'v1.0.0' });
    expect(await version(v1.url)).toBe('v1.0.0');
    const [v2] = await actuator.deploy({ service: 'checkout', environment: 'demo', version: 'v2.0.0' });
    expect(await version(v2.url)).toBe('v2.0.0');
    expect(await waitFor(() => !alive(v1.pid!), 5000)).toBe(true);
    const codes = await Promise.all(Array.from({ length: 20 }, () => fetch(`${v2.url}/api/checkout`).then((r) => r.status)));
    expect(codes.filter((c) => c === 500).length).toBeGreaterThan(3);

    const rb = await actuator.execute(request('a1', 'rollback'));
    expect(rb.ok).toBe(true);
    expect(rb.detail).toMatch(/rolled back checkout to v1\.0\.0/);
    const now = actuator.endpoints('checkout');
    expect(now.map((r) => r.version)).toEqual(['v1.0.0']);
    expect(await version(now[0].url)).toBe('v1.0.0');
    expect(alive(v2.pid!)).toBe(false);
    expect(actuator.currentVersion('checkout')).toBe('v1.0.0');

    const again = await actuator.execute(request('a1', 'rollback'));
    expect(again.detail).toMatch(/already done/);
    // a resumed action asks first: done here; one this process never did is not done
    expect(await actuator.check(request('a1', 'rollback'))).toMatchObject({ state: 'done', result: { ok: true } });
    expect(await actuator.check(request('a9', 'rollback'))).toMatchObject({ state: 'not_done' });
    expect(actuator.endpoints('checkout')).toHaveLength(1);

    const up = await actuator.execute(request('a2', 'scale_up', { version: 'v1.0.0' }));
    expect(up.ok).toBe(true);
    const reps = actuator.endpoints('checkout');
    expect(reps).toHaveLength(2);
    expect(await Promise.all(reps.map((r) => version(r.url)))).toEqual(['v1.0.0', 'v1.0.0']);
  });

  it('refuses values that could change the argv, before anything is spawned', async () => {
    await expect(actuator.deploy({ service: 'checkout', environment: 'demo', version: '--inspect=0.0.0.0' })).rejects.toThrow(/starts with '-'/);
    await expect(actuator.deploy({ service: 'checkout', environment: 'demo', version: 'v1 && rm -rf /' })).rejects.toThrow(/not allowed/);
    const r = await actuator.execute(request('a3', 'rollback', { previousVersion: 'v1;reboot' }));
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/not allowed/);
  });

  it('leaves no process behind when the commander is SIGKILLed', async () => {
    // A stand-in commander: starts one replica through the actuator, prints its pid, waits.
    const script = join(stateDir, 'commander.mjs');
    const localJs = entryArgs('src/actions/local');
    const modulePath = localJs[localJs.length - 1];
    writeFileSync(
      script,
      `const { LocalActuator } = await import(${JSON.stringify(modulePath)});
       const a = new LocalActuator({ args: ${JSON.stringify([...DEMO_SERVICE_ARGS(), '--port', '{port}', '--version', '{version}'])}, stateDir: ${JSON.stringify(stateDir)}, startTimeoutMs: 45000 });
       const [r] = await a.deploy({ service: 'checkout', environment: 'demo', version: 'v1.0.0' });
       process.stdout.write('replica ' + r.pid + '\\n');
       setInterval(() => {}, 1000);`,
    );
    const commander = spawn(process.execPath, [...localJs.slice(0, -1), script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      commander.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /replica (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      commander.on('exit', (code) => reject(new Error(`commander exited ${code}`)));
    });
    expect(alive(pid)).toBe(true);
    commander.kill('SIGKILL');
    // the replica's parent-death watchdog notices within about half a second
    expect(await waitFor(() => !alive(pid), 5000)).toBe(true);
  });

  it('sweeps children recorded by a dead commander, and only those whose command line matches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-sweep-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    const orphan = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
    const other = spawn('sleep', ['31'], { stdio: 'ignore', detached: true });
    writeFileSync(
      join(dir, `${dead}.json`),
      JSON.stringify([
        { pid: orphan.pid, argv: 'sleep 30' },
        { pid: other.pid, argv: 'sleep 99' }, // recycled pid: command line differs, must survive
      ]),
    );
    expect(sweepOrphans(dir)).toBe(1);
    expect(await waitFor(() => orphan.exitCode !== null || orphan.signalCode !== null, 3000)).toBe(true);
    expect(alive(other.pid!)).toBe(true);
    other.kill('SIGKILL');
  });
});
