// The demo world deploys by itself, keeps several services busy, and survives a restart with
// the same simulated timeline (the clock anchor and the version plans are persisted).
import { describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import type { DeploymentListResponse } from '../../src/core/api.js';
import { demoAppFixture } from './demo-app.js';

const fixture = demoAppFixture('demo', {
  watch: { windowSeconds: 120, baselineSeconds: 600, stepSeconds: 15, verifySeconds: 60 },
  demo: { speed: 60, minIntervalSeconds: 0.3, maxIntervalSeconds: 0.6 },
});

const list = async (a: RunningApp) => ((await (await fetch(`${a.url}/api/deployments?limit=500`)).json()) as DeploymentListResponse).deployments;

describe('demo world', () => {
  it('keeps deploying good and bad versions of several services, and continues after a restart', async () => {
    let app = await fixture.start();
    const started = Date.now();
    while ((await list(app)).length < 4 && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 200));
    const first = await list(app);
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(first.every((d) => d.source === 'demo')).toBe(true);
    expect(new Set(first.map((d) => d.service)).size).toBeGreaterThanOrEqual(3);
    for (const d of first) expect(d.previousVersion).toMatch(/^v\d+\.\d+\.\d+$/);
    const simNow = app.clock.now();
    expect(simNow - Date.now()).toBeGreaterThan(0); // the demo clock runs ahead of real time
    await app.close();

    app = await fixture.start();
    expect(app.clock.now()).toBeGreaterThanOrEqual(simNow); // no jump back in time
    const before = new Set((await list(app)).map((d) => d.id));
    const t0 = Date.now();
    let fresh: Awaited<ReturnType<typeof list>> = [];
    while (fresh.length === 0 && Date.now() - t0 < 20_000) {
      await new Promise((r) => setTimeout(r, 200));
      fresh = (await list(app)).filter((d) => !before.has(d.id));
    }
    expect(fresh.length).toBeGreaterThan(0);
    // versions keep counting up per service, never reusing one from before the restart
    const versions = (await list(app)).map((d) => `${d.service}@${d.version}`);
    expect(new Set(versions).size).toBe(versions.length);
  });
});
