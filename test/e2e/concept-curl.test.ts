// The acceptance check, on the compiled CLI with the simulated demo world's defaults
// (clock ×10, a 10-minute window, 3-minute verify; `checkout v2.0.0` ships a bug there): the
// concept's curl answers 2xx with the deployment id, and within 60 s the deployment shows a
// summary, a decision with confidence and reasons, the action and its outcome.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeploymentDetailResponse } from '../../src/core/api.js';
import { BUILT, startCommander, stop, until, type Commander } from './spawn-commander.js';

const dir = mkdtempSync(join(tmpdir(), 'commander-concept-'));
let c: Commander | undefined;

afterAll(async () => {
  await stop(c);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!BUILT)('the concept quick-start curl', () => {
  it('deploy → summary → decision with confidence → action → outcome within 60 s', async () => {
    c = await startCommander(['demo', '--simulated', '--port', '0', '--db', join(dir, 'commander.db')]);
    const started = Date.now();
    const res = await fetch(`${c.url}/api/v1/executions/webhook/devops/deploy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'checkout', version: 'v2.0.0' }),
    });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^dep[a-z0-9]+$/);

    const d = await until(async () => {
      const x = (await (await fetch(`${c!.url}/api/deployments/${id}`)).json()) as DeploymentDetailResponse;
      const acted = x.actions.some((a) => a.status === 'executed');
      return (acted && x.outcome) || x.decisions.some((dd) => dd.approval === 'pending') ? x : undefined;
    }, 60_000 - (Date.now() - started), 'decision, action and outcome');

    expect(d.summary?.text).toBeTruthy();
    const decision = d.decisions.find((x) => x.action !== 'continue')!;
    expect(decision.confidence).toBeGreaterThan(0);
    expect(decision.confidence).toBeLessThanOrEqual(1);
    expect(decision.reasons.length).toBeGreaterThan(0);
    if (decision.approval !== 'pending') {
      expect(d.actions[0]).toMatchObject({ action: decision.action, status: 'executed' });
      expect(d.outcome).toMatchObject({ action: decision.action });
    }
    expect(Date.now() - started).toBeLessThan(60_000);

    // the concept's curl exactly as written: no body, no content-type
    const bare = await fetch(`${c.url}/api/v1/executions/webhook/devops/deploy`, { method: 'POST' });
    expect(bare.status).toBe(201);
    expect(((await bare.json()) as { deployment: { source: string } }).deployment.source).toBe('demo');
  });
});
