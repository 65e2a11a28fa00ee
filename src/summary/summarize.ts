// PLACEHOLDER (skeleton): the judgment helper replaces this with the real summary.
import type { Analysis, DeploymentSpec, Summary } from '../core/types.js';

export function summarize(analysis: Analysis, deployment: DeploymentSpec): Summary {
  const headline = analysis.findings.length === 0 ? `No significant change since ${deployment.version}` : analysis.findings[0].text;
  return { headline, lines: [], text: headline, author: 'deterministic' };
}
