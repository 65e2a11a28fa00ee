// The simulated actuator: hands actions to a SimulatedTarget (the simulated world) at the
// clock's time. It imports only core, so the world behind it can be swapped for a test double.
import type { ActionRequest, ActionResult, Actuator } from '../core/types.js';
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
}
