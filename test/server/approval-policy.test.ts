// A service's approval policy in config tightens the guardrails: its decisions wait for a person,
// and only the named approvers may answer them.
import { describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createToken } from '../../src/server/auth.js';
import type { DeploymentDetailResponse } from '../../src/core/api.js';
import { demoAppFixture } from './demo-app.js';

const alice = createToken();
const bob = createToken();
const fixture = demoAppFixture('approval', {
  watch: { windowSeconds: 300, baselineSeconds: 600, stepSeconds: 15, verifySeconds: 60 },
  demo: { speed: 60, autoDeploy: false },
  auth: {
    tokens: [
      { name: 'alice', role: 'operator', hash: alice.hash },
      { name: 'bob', role: 'operator', hash: bob.hash },
    ],
  },
  services: { checkout: { approval: { requireApproval: true, approvers: ['alice'] } } },
});

const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });

describe('per-service approval policy', () => {
  it('holds a confident decision for approval and accepts only the named approver', async () => {
    const app: RunningApp = await fixture.start();
    // v2.0.0 of checkout is the demo's planned bad deploy
    const res = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: auth(bob.token), body: JSON.stringify({ service: 'checkout', version: 'v2.0.0', environment: 'production' }) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    let detail: DeploymentDetailResponse | undefined;
    const t0 = Date.now();
    for (;;) {
      detail = (await (await fetch(`${app.url}/api/deployments/${id}?series=0`, { headers: auth(bob.token) })).json()) as DeploymentDetailResponse;
      if (detail.decisions.some((d) => d.approval === 'pending') || Date.now() - t0 > 40_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const pending = detail!.decisions.find((d) => d.approval === 'pending');
    expect(pending, 'a decision waits for approval').toBeDefined();
    expect(pending!.guard.mode).toBe('await_approval');
    expect(pending!.guard.reason).toMatch(/requires approval/);
    expect(detail!.actions.filter((a) => a.status === 'executed')).toEqual([]);

    const byBob = await fetch(`${app.url}/api/decisions/${pending!.id}/approve`, { method: 'POST', headers: auth(bob.token), body: '{}' });
    expect(byBob.status).toBe(403);
    const byAlice = await fetch(`${app.url}/api/decisions/${pending!.id}/approve`, { method: 'POST', headers: auth(alice.token), body: JSON.stringify({ reason: 'checked the errors' }) });
    expect(byAlice.status).toBe(202);
  });
});
