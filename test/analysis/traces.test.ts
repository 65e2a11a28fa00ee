import { describe, expect, it } from 'vitest';
import { traceFindings } from '../../src/analysis/traces.js';
import type { SpanRecord } from '../../src/core/types.js';
import { seededRandom } from '../../src/core/random.js';

describe('traces', () => {
  it('finds the operation whose errors and latency got worse, and leaves the others alone', () => {
    const r = seededRandom(5);
    const spans: SpanRecord[] = [];
    for (let i = 0; i < 2000; i++) {
      const after = i >= 1000;
      const at = i * 1000;
      spans.push({ at, operation: 'GET /cart', durationMs: 50 + 20 * r(), error: r() < 0.01 });
      spans.push({ at, operation: 'POST /checkout', durationMs: (after ? 180 : 80) + 40 * r(), error: r() < (after ? 0.12 : 0.005) });
    }
    const fs = traceFindings(spans, 1_000_000, 0.01);
    expect(fs.map((f) => f.subject)).toEqual(['POST /checkout']);
    expect(fs[0].stats.error_rate_after).toBeGreaterThan(0.08);
    expect(fs[0].stats.duration_median_after).toBeGreaterThan(fs[0].stats.duration_median_before * 1.5);
    expect(fs[0].evidence?.operations).toEqual(['POST /checkout']);
  });
});
