// PLACEHOLDER (skeleton): the judgment helper replaces this with the real analysis.
import type { Analysis, DeploymentSpec, SignalBundle } from '../core/types.js';

export interface AnalyzeInput {
  deployment: DeploymentSpec;
  bundle: SignalBundle;
  now: number;
  stepSeconds: number;
}

export function analyze(input: AnalyzeInput): Analysis {
  return { at: input.now, deployAt: input.deployment.at, findings: [], coverage: {}, canary: !!input.bundle.baselineMetrics };
}
