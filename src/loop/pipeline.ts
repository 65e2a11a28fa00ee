// One tick of judgment: signals → analysis → summary → features → decision. Pure: the same
// inputs give the same outputs, so a recorded incident replays to the same decision.
// The optional LLM narrator is async I/O and stays outside: call `narrate()` from
// summary/llm-narrator.ts after the tick if configured.
import type { Analysis, Decision, DeploymentSpec, Features, Policy, SignalBundle, Summary } from '../core/types.js';
import { analyze, type AnalyzeOptions } from '../analysis/analyze.js';
import type { LogIndex } from '../analysis/log-index.js';
import { summarize } from '../summary/summarize.js';
import { extractFeatures } from '../policy/features.js';

export interface TickInput {
  deployment: DeploymentSpec;
  bundle: SignalBundle;
  /** epoch ms: only data up to here may be used */
  now: number;
  stepSeconds: number;
  policy: Policy;
  /** optional per-deployment incremental log index (create once: `new LogIndex(deployment.at)`) */
  logIndex?: LogIndex;
  analyzeOptions?: Partial<AnalyzeOptions>;
}

export interface TickResult {
  analysis: Analysis;
  summary: Summary;
  features: Features;
  decision: Decision;
}

export function evaluateTick(input: TickInput): TickResult {
  const analysis = analyze({
    deployment: input.deployment,
    bundle: input.bundle,
    now: input.now,
    stepSeconds: input.stepSeconds,
    logIndex: input.logIndex,
    options: input.analyzeOptions,
  });
  const summary = summarize(analysis, input.deployment);
  const features = extractFeatures(analysis, input.stepSeconds);
  const decision = input.policy.decide({ analysis, features, environment: input.deployment.environment });
  return { analysis, summary, features, decision };
}
