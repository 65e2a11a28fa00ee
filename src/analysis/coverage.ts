// Data coverage: which standard metrics stopped arriving after the deploy. Missing data is never
// "unhealthy"; it is its own finding so the policy can escalate (it cannot verify) instead of
// rolling back. Short gaps (a scrape or two) are normal and tolerated.
import type { Finding, Point, SignalBundle } from '../core/types.js';

/**
 * a metric is gapped when this many expected samples in a row are missing at the end, and for at
 * least STALE_MIN_MS: with 10 s scrapes three missing samples are one slow scrape cycle, not lost
 * telemetry. Staleness counts from the deploy at the earliest (the rollout itself replaces the
 * scrape targets, so a sample or two missing around it says nothing).
 */
const STALE_STEPS = 3;
const STALE_MIN_MS = 90_000;
/** or when less than this fraction of the expected samples arrived (over ≥ MIN_EXPECTED slots) */
const MIN_COVERAGE = 0.6;
const MIN_EXPECTED = 8;

export function dataCoverage(metrics: Record<string, Point[]>, bundle: SignalBundle, deployAt: number, now: number, stepMs: number): { coverage: Record<string, number>; findings: Finding[] } {
  const coverage: Record<string, number> = {};
  const gapped: string[] = [];
  const stats: Record<string, number> = {};
  let watched = 0;
  for (const [metric, pts] of Object.entries(metrics)) {
    const hadBefore = pts.some((p) => p[0] < deployAt);
    if (!hadBefore) continue; // a metric that never existed is not a gap
    watched++;
    const expected = Math.floor((now - deployAt) / stepMs) + 1;
    const after = pts.filter((p) => p[0] >= deployAt);
    const cov = Math.min(1, after.length / Math.max(1, expected));
    coverage[metric] = cov;
    const last = pts.length ? pts[pts.length - 1][0] : -Infinity;
    const staleMs = now - Math.max(last, deployAt);
    const staleSteps = Math.floor(staleMs / stepMs + 0.25);
    stats[`stale_steps_${metric}`] = staleSteps;
    stats[`coverage_${metric}`] = cov;
    if ((staleSteps >= STALE_STEPS && staleMs >= STALE_MIN_MS) || (expected >= MIN_EXPECTED && cov < MIN_COVERAGE)) gapped.push(metric);
  }
  const findings: Finding[] = [];
  for (const p of bundle.problems) {
    findings.push({
      id: `data_gap:source:${p.source}`,
      kind: 'data_gap',
      subject: p.source,
      severity: 0.6,
      direction: 'none',
      comparison: 'none',
      stats: { source_failed: 1 },
      text: `Source ${p.source} failed: ${p.message.slice(0, 160)}`,
    });
  }
  // one gapped metric alone is most often a scrape hiccup; two or more (or the only one) is lost telemetry
  if (gapped.length >= 2 || (watched > 0 && gapped.length === watched)) {
    findings.push({
      id: 'data_gap:metrics',
      kind: 'data_gap',
      subject: gapped.join(','),
      severity: 0.8,
      direction: 'none',
      comparison: 'none',
      stats: { ...stats, gapped_metrics: gapped.length, watched_metrics: watched },
      text: `Telemetry missing since the deploy: ${gapped.join(', ')} (${gapped.length} of ${watched} metrics)`,
    });
  }
  return { coverage, findings };
}
