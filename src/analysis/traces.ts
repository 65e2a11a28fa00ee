// Traces: error rate and latency by operation, after the deploy vs before. Count-aware error test
// (conditional binomial on span counts, fine with zero errors before) and a rank test on durations
// against the always-valid boundary.
//
// When the request rate rose materially after the deploy (a surge), every operation slows with
// it: that slowdown is the load's, not the version's (the request-rate and latency metrics tell
// that story). So latency is then judged only on the spans served before the load rose, at the
// old load; with too few of them, not at all. Errors are judged as always.
import type { Finding, SpanRecord } from '../core/types.js';
import { binomialUpperTail, mannWhitney, median, mixtureBoundaryZ, thin } from './stats.js';
import { fmtNum, fmtPct } from './format.js';

export function traceFindings(spans: readonly SpanRecord[], deployAt: number, alpha: number, loadRoseAt?: number): Finding[] {
  const ops = new Map<string, { before: SpanRecord[]; after: SpanRecord[] }>();
  for (const s of spans) {
    let o = ops.get(s.operation);
    if (!o) ops.set(s.operation, (o = { before: [], after: [] }));
    (s.at < deployAt ? o.before : o.after).push(s);
  }
  const out: Finding[] = [];
  for (const [op, { before, after }] of [...ops.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (after.length < 5) continue;
    const eb = before.filter((s) => s.error).length;
    const ea = after.filter((s) => s.error).length;
    const rb = before.length ? eb / before.length : 0;
    const ra = ea / after.length;
    // errors: given all errors, how likely are this many on the after side if rates were equal
    const share = before.length ? after.length / (after.length + before.length) : 1;
    const pErr = before.length ? binomialUpperTail(ea, ea + eb, share) : 1;
    const durB = thin(before.map((s) => s.durationMs), 2000);
    const atOldLoad = loadRoseAt === undefined ? after : after.filter((s) => s.at <= loadRoseAt);
    const durA = thin(atOldLoad.map((s) => s.durationMs), 2000);
    const rt = durB.length >= 5 && durA.length >= 5 ? mannWhitney(durB, durA) : { z: 0, cliffsDelta: 0 };
    const mb = durB.length ? median(durB) : NaN;
    const ma = durA.length ? median(durA) : NaN;
    const errBad = pErr < alpha / 100 && ra - rb >= 0.01 && ra >= 2 * rb;
    const latBad = durA.length >= 5 && rt.z >= mixtureBoundaryZ(durA.length, alpha) && ma >= 1.25 * mb;
    if (!errBad && !latBad) continue;
    const parts: string[] = [];
    if (errBad) parts.push(`errors ${fmtPct(ra)} vs ${fmtPct(rb)}`);
    if (latBad) parts.push(`median ${fmtNum(ma)} ms vs ${fmtNum(mb)} ms${loadRoseAt !== undefined ? ' before the traffic rose' : ''}`);
    out.push({
      id: `trace_operation:${op}`,
      kind: 'trace_operation',
      subject: op,
      severity: errBad ? Math.min(0.9, 0.5 + (ra - rb) * 2) : 0.5,
      direction: 'up',
      comparison: 'before_after',
      stats: {
        spans_before: before.length, spans_after: after.length, error_rate_before: rb, error_rate_after: ra, p_errors: pErr,
        duration_median_before: mb, duration_median_after: ma, z_duration: rt.z, cliffs_delta: rt.cliffsDelta,
        ...(loadRoseAt !== undefined ? { load_rose_at: loadRoseAt, spans_at_old_load: atOldLoad.length } : {}),
      },
      text: `Operation ${op}: ${parts.join('; ')} after the deploy`,
      evidence: { operations: [op] },
    });
  }
  return out;
}
