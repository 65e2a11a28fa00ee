// Two incidents from the second, independently generated scenario set (bench/gen-scenarios.ts
// --seed 2), played through the real pipeline tick and the shipped policy:
//  - a noisy but healthy deploy whose latency wanders (autocorrelated, heavy-tailed, read through
//    histogram buckets): it must continue, and the summary must say why a visible rise was not harm;
//  - a crash loop whose restart counter reset to 0 when the deploy replaced the pods, with error
//    rates quantised by low traffic and application metrics missing while pods are down: rollback,
//    not "telemetry missing".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/core/scenario.js';
import { pipelineTick } from '../../src/cli/pipeline-tick.js';
import { NULL_POLICY, playScenario, policyDecider, scoreInfo, scoreResult } from '../../src/policy/episode.js';
import { BanditPolicy } from '../../src/policy/bandit.js';
import { loadPrior } from '../../src/policy/prior.js';
import { bundleAt, prepareScenario, tickTimes } from '../../src/policy/scenario-bundle.js';
import { summarize } from '../../src/summary/summarize.js';

const load = (name: string): Scenario => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'scenarios', 'second-set', name), 'utf8')) as Scenario;

function play(s: Scenario) {
  const [r] = playScenario(s, [policyDecider('bandit', new BanditPolicy(loadPrior()))], pipelineTick());
  return scoreResult(scoreInfo(s), r);
}

describe('second scenario set', () => {
  it('a noisy healthy deploy continues, and the summary says the rise is within the pre-deploy range', () => {
    const s = load('s2-noisy_healthy-17.json');
    const r = play(s);
    expect(r.action).toBe('continue');
    expect(r.correct).toBe(true);
    const p = prepareScenario(s);
    const tick = pipelineTick();
    const texts: string[] = [];
    for (const now of tickTimes(p)) {
      const t = tick({ deployment: p.deployment, bundle: bundleAt(p, now), now, stepSeconds: p.stepSeconds, policy: NULL_POLICY });
      texts.push(summarize(t.analysis, p.deployment).text);
    }
    const why = texts.find((x) => /within the pre-deploy range/.test(x));
    expect(why).toMatch(/^No significant change since v\S+ .*p95 latency .* is within the pre-deploy range: the baseline itself spanned/);
  });

  it('a crash loop with a restart counter that reset at the deploy and gapped app metrics is rolled back', () => {
    const s = load('s2-crash_loop-15.json');
    const r = play(s);
    expect(r.action).toBe('rollback');
    expect(r.correct).toBe(true);
    expect(r.features?.restart_increase).toBeGreaterThanOrEqual(2);
    expect(r.decision?.reasons.join(' ')).toMatch(/restarts/);
  });
});
