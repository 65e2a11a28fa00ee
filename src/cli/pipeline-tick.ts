// The real pipeline tick (loop/pipeline.ts) in the shape training and evaluation inject
// (policy/episode.ts TickFn), with one incremental log index per deployment so a tick only mines
// the new log lines. Lives in cli/ because policy/ must not import loop/.
import type { DeploymentSpec } from '../core/types.js';
import { evaluateTick } from '../loop/pipeline.js';
import { LogIndex } from '../analysis/log-index.js';
import type { TickFn } from '../policy/episode.js';

export function pipelineTick(): TickFn {
  const indexes = new WeakMap<DeploymentSpec, LogIndex>();
  return (input) => {
    let logIndex = indexes.get(input.deployment);
    if (!logIndex) {
      logIndex = new LogIndex(input.deployment.at);
      indexes.set(input.deployment, logIndex);
    }
    const r = evaluateTick({ ...input, logIndex });
    return { analysis: r.analysis, features: r.features, decision: r.decision };
  };
}
