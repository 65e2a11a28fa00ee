// How the real pipeline (analysis → summary → ScoringPolicy → guardrails) does on the simulated
// demo world: for each behaviour and a few seeds, one full watch with default timings on a
// virtual clock. Prints the decision acted on, its delay after the deploy, the final status
// and how long the watch took to compute.  Run: npx tsx bench/demo-world.ts
import { VirtualClock } from '../src/core/clock.js';
import { createSqliteStore } from '../src/store/sqlite.js';
import { BEHAVIOURS, SimulatedWorld } from '../src/signals/simulated.js';
import { SimulatedActuator } from '../src/actions/simulated.js';
import { runWatch } from '../src/loop/watch.js';
import { deriveState } from '../src/loop/state.js';
import { makeGuard } from '../src/loop/guard.js';
import { ScoringPolicy } from '../src/policy/scoring-policy.js';
import { DEFAULT_GUARDRAILS } from '../src/policy/guardrails.js';

const EXPECTED: Record<string, string> = { healthy: 'continue', error_regression: 'rollback', memory_leak: 'rollback', latency_regression: 'rollback', load_surge: 'scale_up', dependency_outage: 'escalate' };
const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);
const policy = new ScoringPolicy();
let right = 0;
let total = 0;
console.log('behaviour            seed  first-action  delay(s)  status          recovered  compute(ms)');
for (const behaviour of BEHAVIOURS) {
  for (const seed of [1, 2, 3]) {
    const store = createSqliteStore(':memory:');
    const clock = new VirtualClock(T0);
    const world = new SimulatedWorld({ seed });
    world.plan('checkout', 'v2.0.0', behaviour);
    const { deployment } = await store.createDeployment({ service: 'checkout', environment: 'production', version: 'v2.0.0', previousVersion: 'v1.9.0', at: T0, replicas: 3 }, { id: 'dep1', source: 'bench', receivedAt: T0, idempotencyKey: 'k' });
    const started = performance.now();
    const status = await runWatch(deployment, {
      store, clock, sources: [world], actuator: new SimulatedActuator(world, clock), policy: () => policy,
      guard: makeGuard(DEFAULT_GUARDRAILS),
      timing: { windowSeconds: 600, baselineSeconds: 1800, stepSeconds: 15, verifySeconds: 180, approvalTimeoutSeconds: 0 },
    });
    const ms = performance.now() - started;
    const s = deriveState(await store.events('dep1'));
    const first = s.decisions.find((d) => d.decision.action !== 'continue');
    const action = first?.decision.action ?? "continue";
    const mode = first ? `${first.guard.mode}@${first.decision.confidence.toFixed(2)}` : "";
    total++;
    if (action === EXPECTED[behaviour]) right++;
    console.log(`${behaviour.padEnd(20)} ${String(seed).padStart(4)}  ${action.padEnd(12)}  ${first ? String((first.at - T0) / 1000).padStart(8) : '       -'}  ${status.padEnd(14)}  ${String(s.outcome?.recovered ?? "-").padEnd(9)}  ${ms.toFixed(0).padStart(10)}  ${mode}`);
    await store.close();
  }
}
console.log(`first non-continue decision matches the behaviour's best action: ${right}/${total}`);
