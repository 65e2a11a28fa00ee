// PLACEHOLDER (skeleton): the judgment helper replaces this with documented features.
import type { Analysis, Features } from '../core/types.js';

export function extractFeatures(analysis: Analysis): Features {
  return { findings: analysis.findings.length };
}
