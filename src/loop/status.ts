// DeploymentStatus from a deployment's events (the status is never stored on its own authority:
// the deployments table only caches what this returns, for list filters).
import type { TimelineEvent } from '../core/timeline.js';
import type { DeploymentStatus } from '../core/types.js';
import { deriveState, statusOf } from './state.js';

export function deriveStatus(events: readonly TimelineEvent[]): DeploymentStatus {
  return statusOf(deriveState(events));
}
