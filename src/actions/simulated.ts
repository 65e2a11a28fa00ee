// The simulated actuator: hands actions to a SimulatedTarget (the simulated world) at the
// clock's time. It imports only core, so the world behind it can be swapped for a test double.
import type { ActionCheck, ActionRequest, ActionResult, Actuator } from '../core/types.js';
import type { Clock } from '../core/clock.js';
import type { SimulatedTarget } from '../core/simulated-target.js';

export class SimulatedActuator implements Actuator {
  readonly name = 'simulated';
  constructor(
    private readonly target: SimulatedTarget,
    private readonly clock: Clock,
  ) {}

  async execute(request: ActionRequest): Promise<ActionResult> {
    try {
      return this.target.apply(request, this.clock.now());
    } catch (e) {
      // A target that throws is a failed action, recorded as such — never a crashed watch.
      return { ok: false, detail: `simulated target failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /**
   * The world remembers what it applied. After a restart it is rebuilt from the `action.executed`
   * events only (world/simulated.ts), so an action cut off before its result never took effect
   * there: not done.
   */
  async check(request: ActionRequest): Promise<ActionCheck> {
    const r = this.target.applied?.(request.id);
    if (r) return { state: 'done', result: r };
    return { state: 'not_done', evidence: 'the simulated world has not applied it (it is rebuilt from executed actions after a restart)' };
  }
}
