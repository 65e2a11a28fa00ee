// What the simulated actuator acts on. Defined in core so actions/simulated.ts never imports
// signals/ (adapters depend on core only); signals/simulated.ts implements it.
import type { ActionRequest, ActionResult } from './types.js';

export interface SimulatedTarget {
  /** Apply an action at simulated time `at`. Idempotent on `request.id`. */
  apply(request: ActionRequest, at: number): ActionResult;
  /** The result of an action already applied, by id (what a resumed action is reconciled with). */
  applied?(actionId: string): ActionResult | undefined;
}
