import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/summary/summarize.js';
import type { Analysis, Finding } from '../../src/core/types.js';

const f = (id: string, kind: Finding['kind'], subject: string, severity: number, text: string): Finding => ({ id, kind, subject, severity, direction: 'up', comparison: 'before_after', stats: {}, text });
const dep = { service: 'checkout', environment: 'production', version: 'v2', previousVersion: 'v1', at: 0 };

describe('summarize', () => {
  it('ranks, deduplicates and points every line at its finding', () => {
    const a: Analysis = {
      at: 1, deployAt: 0, canary: true, coverage: {},
      findings: [
        f('metric_shift:latency_p95_ms', 'metric_shift', 'latency_p95_ms', 0.6, 'latency up'),
        f('metric_shift:error_rate:canary', 'metric_shift', 'error_rate', 0.8, 'canary errors up'),
        f('metric_shift:error_rate', 'metric_shift', 'error_rate', 0.9, 'errors up'),
        f('metric_shift:cpu_utilization', 'metric_shift', 'cpu_utilization', 0.1, 'cpu +2%, too small'),
      ],
    };
    const s = summarize(a, dep);
    expect(s.lines.map((l) => l.findingId)).toEqual(['metric_shift:error_rate', 'metric_shift:latency_p95_ms']);
    expect(s.headline).toContain('errors up');
    expect(s.text).not.toContain('too small');
    expect(s.author).toBe('deterministic');
  });
  it('says so when nothing changed', () => {
    expect(summarize({ at: 1, deployAt: 0, canary: false, coverage: {}, findings: [] }, dep).headline).toMatch(/No significant change since v2/);
  });
});
