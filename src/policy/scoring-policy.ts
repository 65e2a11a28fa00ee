// PLACEHOLDER (skeleton): the judgment helper replaces this with the transparent scoring policy.
import type { Decision, Policy, PolicyInput } from '../core/types.js';

export class ScoringPolicy implements Policy {
  readonly version = 'scoring-v1';
  decide(_input: PolicyInput): Decision {
    return { action: 'continue', confidence: 0.5, reasons: [], policyVersion: this.version };
  }
}
