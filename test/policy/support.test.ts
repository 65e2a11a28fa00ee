// The simulated incidents as support: the prior's residual stays at the scoring policy's view, and
// its precision says where the simulator saw many incidents, so outcomes move the policy there
// less than where it saw none.
import { describe, expect, it } from 'vitest';
import type { Features } from '../../src/core/types.js';
import { ACTIONS } from '../../src/core/types.js';
import { expectedRewards, priorMeans } from '../../src/policy/bandit.js';
import { extractFeatures } from '../../src/policy/features.js';
import { learn } from '../../src/policy/learn.js';
import { rewardVector } from '../../src/policy/rewards.js';
import { fitModel, type TickSample } from '../../src/policy/train.js';

const base = extractFeatures({ at: 600_000, deployAt: 0, canary: false, coverage: {}, findings: [] }, 15);
const f = (over: Record<string, number>): Features => ({ ...base, ...over });
// a busy region (quiet deploys, seen 300 times) and a rare one (an error regression, seen 3 times)
const QUIET = f({});
const REGRESSION = f({ err_bad: 1, err_delta: 0.05, health_bad: 1, log_new_error: 2, log_code: 40, code_share: 1, onset_steps: 2, onset_minutes: 0.5, onset_in_warmup: 1 });
const samples: TickSample[] = [
  ...Array.from({ length: 300 }, (_v, i) => ({ scenarioId: `q${i}`, family: 'healthy', at: i, features: { ...QUIET, load_ratio_recent: 1 + (i % 7) / 100 }, rewards: rewardVector({ cause: 'none', minutesSinceOnset: 0, pastDeadline: false }) })),
  ...Array.from({ length: 3 }, (_v, i) => ({ scenarioId: `r${i}`, family: 'error_regression', at: i, features: REGRESSION, rewards: rewardVector({ cause: 'deploy_regression', minutesSinceOnset: 1, pastDeadline: false }) })),
];

describe('simulated incidents as the residual support', () => {
  const fit = (simTargets: 'fit' | 'support') => fitModel(samples, { version: 't', priorPrecision: 10, simWeight: 0.1, simTargets, prototypes: 2, seed: 1 });

  it('keeps the scoring policy as the mean and grows the precision where incidents were seen', () => {
    const m = fit('support');
    for (const a of ACTIONS) expect(m.arms[a].b.every((v) => v === 0)).toBe(true);
    for (const s of [QUIET, REGRESSION]) {
      const e = expectedRewards(m, s);
      const p = priorMeans(m, s);
      for (const a of ACTIONS) expect(e[a]).toBeCloseTo(p[a], 12);
    }
    const diag = m.arms.escalate.precision.map((row, i) => row[i]);
    expect(Math.max(...diag)).toBeGreaterThan(10 * 10); // the busy prototype: 300 ticks at weight 0.1
  });

  it('lets the same outcomes move a rarely seen state more than a busy one', () => {
    const m = fit('support');
    const shift = (s: Features): number => {
      let next = m;
      for (let i = 0; i < 5; i++) next = learn(next, [{ id: `o${i}`, features: s, action: 'escalate', reward: 1 }], `v${i}`);
      return expectedRewards(next, s).escalate - expectedRewards(m, s).escalate;
    };
    const busy = shift(QUIET);
    const rare = shift(REGRESSION);
    expect(busy).toBeGreaterThan(0);
    expect(rare).toBeGreaterThan(3 * busy);
  });
});
