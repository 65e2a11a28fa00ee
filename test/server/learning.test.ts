// The learn step of the loop, live: a verified outcome becomes a new stored policy version,
// announced on the audit trail as policy.updated and listed by the policy API.
import { describe, expect, it } from 'vitest';
import type { DeploymentDetailResponse } from '../../src/core/api.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import { demoAppFixture } from './demo-app.js';

const fixture = demoAppFixture('learn', {
  watch: { windowSeconds: 300, baselineSeconds: 600, stepSeconds: 15, verifySeconds: 60 },
  demo: { speed: 60, autoDeploy: false },
  guardrails: { environments: { staging: { autoActConfidence: 0.5 } } },
});

describe('learning from outcomes', () => {
  it('stores a new policy version after a verified rollback and records it on the audit trail', async () => {
    const app = await fixture.start();
    const before = (await (await fetch(`${app.url}/api/policy/versions`)).json()) as { versions: Array<{ version: string }> };
    expect(before.versions.length).toBe(1); // the shipped prior
    const res = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'checkout', version: 'v9.0.0-bug', environment: 'staging' }) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    let detail: DeploymentDetailResponse | undefined;
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      detail = (await (await fetch(`${app.url}/api/deployments/${id}?series=0`)).json()) as DeploymentDetailResponse;
      if (detail.outcome) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(detail?.outcome).toMatchObject({ action: 'rollback', recovered: true });
    let updates: TimelineEvent[] = [];
    while (updates.length === 0 && Date.now() - t0 < 60_000) {
      updates = ((await (await fetch(`${app.url}/api/audit?type=policy.updated`)).json()) as { events: TimelineEvent[] }).events;
      if (updates.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(updates).toHaveLength(1);
    expect(updates[0].payload).toMatchObject({ action: 'learned', fromDeployment: id });
    const after = (await (await fetch(`${app.url}/api/policy/versions`)).json()) as { versions: Array<{ version: string }> };
    expect(after.versions.map((v) => v.version)).toContain(updates[0].payload.version);
    expect(after.versions.length).toBe(2);
  });
});
