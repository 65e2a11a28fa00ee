// One tick of judgment: signals → analysis → summary → features → decision. Pure: the same
// inputs give the same outputs, so a recorded incident replays to the same decision.
// Configured thresholds add their findings after the policy's features are taken, so the policy
// sees the same inputs with or without them (analysis/thresholds.ts says what a breach decides).
// The optional LLM narrator is async I/O and stays outside (loop/narration.ts).
import type { Analysis, Decision, DeploymentSpec, Features, Policy, SignalBundle, Summary } from '../core/types.js';
import { analyze, type AnalyzeOptions } from '../analysis/analyze.js';
import type { LogIndex } from '../analysis/log-index.js';
import { summarize } from '../summary/summarize.js';
import { extractFeatures } from '../policy/features.js';
import { applyThresholds, thresholdFindings, type Thresholds } from '../analysis/thresholds.js';

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
  /** the service's absolute limits (config `thresholds`); none: no threshold findings */
  thresholds?: Thresholds;
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
  const features = extractFeatures(analysis, input.stepSeconds);
  const policyDecision = input.policy.decide({ analysis, features, environment: input.deployment.environment });
  if (!input.thresholds || Object.keys(input.thresholds).length === 0) return { analysis, summary: summarize(analysis, input.deployment), features, decision: policyDecision };
  const breaches = thresholdFindings({ deployment: input.deployment, metrics: input.bundle.metrics, thresholds: input.thresholds, now: input.now, stepSeconds: input.stepSeconds });
  const judged = { ...analysis, findings: [...analysis.findings, ...breaches].sort((a, b) => b.severity - a.severity || a.id.localeCompare(b.id)) };
  return {
    analysis: judged,
    summary: summarize(judged, input.deployment),
    features: { ...features, threshold_breaches: breaches.length },
    decision: applyThresholds(policyDecision, breaches),
  };
}
