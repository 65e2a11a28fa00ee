// Pure dashboard helpers: list model, live patching, chart preparation, config and routing.
import { describe, expect, it } from 'vitest';
import type { DecisionRecord, DeploymentDetailResponse, DeploymentListItem } from '../../src/core/api.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import type { Finding } from '../../src/core/types.js';
import { applyEvent, baselineFrom, evidenceAt, primaryDecision, rowFromDetail, visibleRows, EMPTY_FILTERS, distinct, listFromResponse } from '../../dashboard/src/lib/deployments.js';
import { axisTimes, buildChart, orderMetrics } from '../../dashboard/src/lib/chart.js';
import { resolveApiBase, validApiBase } from '../../dashboard/src/lib/config.js';
import { parseRoute, listHref, deploymentHref } from '../../dashboard/src/lib/route.js';
import { formatAge, formatConfidence, formatMetric, formatP, metricLabel } from '../../dashboard/src/lib/format.js';
import { findingWords, rankFindings } from '../../dashboard/src/lib/findings.js';
import { verifyView, eventsFromAudit } from '../../dashboard/src/lib/audit.js';
import { policyHistory, policyVersions } from '../../dashboard/src/lib/policy.js';
import { describeEvent } from '../../dashboard/src/lib/describe.js';

const T0 = Date.UTC(2026, 2, 2, 12);

function row(id: string, over: Partial<DeploymentListItem> = {}): DeploymentListItem {
  return { id, service: 'checkout', environment: 'production', version: 'v1', at: T0, source: 'api', receivedAt: T0, status: 'watching', ...over };
}

function ev(type: TimelineEvent['type'], payload: Record<string, unknown>, seq = 1): TimelineEvent {
  return { seq, deploymentId: 'd1', type, at: T0 + seq * 1000, actor: 'system', payload, prevHash: '', hash: '' };
}

describe('live list model', () => {
  it('adds a row from deployment.received and ignores unknown deployments otherwise', () => {
    const d = { id: 'd1', service: 'cart', environment: 'staging', version: 'v9', at: T0, source: 'demo', receivedAt: T0, status: 'watching' };
    expect(applyEvent(undefined, ev('deployment.received', { deployment: d }))?.service).toBe('cart');
    expect(applyEvent(undefined, ev('decision.made', { action: 'rollback', confidence: 0.9 }))).toBeUndefined();
  });

  it('patches status, decision, pending approval and headline from events', () => {
    let r = applyEvent(row('d1'), ev('decision.made', { decision: { id: 'x1', action: 'rollback', confidence: 0.58, guard: { mode: 'await_approval', reason: 'low' } } }))!;
    expect(r.decision).toMatchObject({ action: 'rollback', confidence: 0.58 });
    expect(r.pendingDecisionId).toBe('x1');
    r = applyEvent(r, ev('action.approved', { reason: 'ok', status: 'acting' }, 2))!;
    expect(r.pendingDecisionId).toBeUndefined();
    expect(r.status).toBe('acting');
    r = applyEvent(r, ev('summary.written', { summary: { headline: 'Error rate 7%' } }, 3))!;
    expect(r.headline).toBe('Error rate 7%');
    // A malformed decision payload leaves the row as it was.
    expect(applyEvent(r, ev('decision.made', { action: 'explode', confidence: 'high' }, 4))!.decision).toEqual(r.decision);
  });

  it('derives the row from a detail answer, including the pending decision', () => {
    const detail = {
      deployment: row('d1', { status: 'awaiting_approval' }),
      events: [],
      decisions: [
        { id: 'a', at: T0, action: 'continue', confidence: 0.9, reasons: [], policyVersion: 'v1', guard: { mode: 'record_only', reason: '' }, approval: 'not_needed' },
        { id: 'b', at: T0 + 1, action: 'rollback', confidence: 0.6, reasons: [], policyVersion: 'v1', guard: { mode: 'await_approval', reason: '' }, approval: 'pending' },
      ],
      actions: [],
      summary: { headline: 'H', lines: [], text: 'H', author: 'deterministic' },
    } as DeploymentDetailResponse;
    expect(rowFromDetail(detail)).toMatchObject({ status: 'awaiting_approval', pendingDecisionId: 'b', headline: 'H', decision: { action: 'rollback' } });
  });

  it('shows the decision that was acted on, not a later "continue" while verifying', () => {
    const dec = (id: string, action: 'continue' | 'rollback', at: number): DecisionRecord =>
      ({ id, at, action, confidence: 0.8, reasons: [], policyVersion: 'v1', guard: { mode: 'execute', reason: '' }, approval: 'not_needed' });
    const d: Pick<DeploymentDetailResponse, 'decisions' | 'actions'> = {
      decisions: [dec('a', 'continue', 1), dec('b', 'rollback', 2), dec('c', 'continue', 3)],
      actions: [{ id: 'x', decisionId: 'b', action: 'rollback', requestedAt: 2, status: 'executed', actuator: 'simulated' }],
    };
    expect(primaryDecision(d)?.id).toBe('b');
    expect(primaryDecision({ ...d, actions: [] })?.id).toBe('c');
    expect(primaryDecision({ decisions: [], actions: [] })).toBeUndefined();
  });

  it('finds the summary and analysis a decision was made on', () => {
    const sum = (h: string) => ({ summary: { headline: h, lines: [], text: h, author: 'deterministic' } });
    const ana = (n: number) => ({ analysis: { at: 0, deployAt: 0, findings: Array(n).fill({}), coverage: {}, canary: false } });
    const events = [
      { ...ev('analysis.completed', ana(2), 1), at: 100 },
      { ...ev('summary.written', sum('errors up'), 2), at: 100 },
      { ...ev('decision.made', {}, 3), at: 100 },
      { ...ev('analysis.completed', ana(0), 4), at: 200 },
      { ...ev('summary.written', sum('no change'), 5), at: 200 },
    ];
    const then = evidenceAt(events, 100);
    expect(then.summary?.headline).toBe('errors up');
    expect(then.analysis?.findings).toHaveLength(2);
    expect(evidenceAt(events, 250).summary?.headline).toBe('no change');
    expect(evidenceAt(events, 50)).toEqual({ summary: undefined, analysis: undefined });
  });

  it('filters and sorts 5,000 rows newest first', () => {
    const rows = Array.from({ length: 5000 }, (_, i) =>
      row(`d${i}`, { at: T0 + i, service: i % 2 ? 'cart' : 'checkout', environment: i % 3 ? 'production' : 'staging' }),
    );
    const all = visibleRows(rows, EMPTY_FILTERS);
    expect(all).toHaveLength(5000);
    expect(all[0]!.id).toBe('d4999');
    const some = visibleRows(rows, { ...EMPTY_FILTERS, service: 'CART', environment: 'staging' });
    expect(some.every((r) => r.service === 'cart' && r.environment === 'staging')).toBe(true);
    expect(some).toHaveLength(rows.filter((r) => r.service === 'cart' && r.environment === 'staging').length);
    expect(distinct(rows, 'environment')).toEqual(['production', 'staging']);
    expect(listFromResponse({ deployments: rows.slice(0, 2) })).toHaveLength(2);
    expect(listFromResponse({ nope: 1 })).toEqual([]);
  });
});

describe('chart model', () => {
  const pts = (from: number, n: number, f: (i: number) => number): Array<[number, number]> =>
    Array.from({ length: n }, (_, i) => [from + i * 15_000, f(i)]);
  const onsetFinding = { id: 'metric_shift:error_rate', kind: 'metric_shift', subject: 'error_rate', severity: 0.9, direction: 'up', comparison: 'before_after', onset: T0 + 60_000, stats: {}, text: '' } as Finding;

  it('shades the baseline window the watch judged against, its normal range, and marks deploy, onset and action', () => {
    // 40 min of history, but the watch's baseline is the last 30 min before the deploy
    const points = [...pts(T0 - 2_400_000, 40, () => 0.5), ...pts(T0 - 1_800_000, 120, (i) => 0.01 + (i % 11) * 0.002), ...pts(T0, 20, () => 0.3)];
    const m = buildChart('error_rate', { points }, {
      deployAt: T0,
      baselineFrom: T0 - 1_800_000,
      findings: [onsetFinding],
      actions: [{ id: 'a', decisionId: 'x', action: 'rollback', requestedAt: T0 + 200_000, finishedAt: T0 + 210_000, status: 'executed', actuator: 'simulated' }],
    });
    expect(m.baselineKind).toBe('none');
    expect(m.window).toEqual([T0 - 1_800_000, T0]);
    // the 0.5 samples before the baseline window are not part of "normal"
    expect(m.band!.hi).toBeLessThan(0.031);
    expect(m.band!.lo).toBeGreaterThanOrEqual(0.01);
    expect(m.band!.median).toBeCloseTo(0.02, 6);
    expect(m.markers.map((x) => [x.kind, x.at])).toEqual([
      ['deploy', T0],
      ['onset', T0 + 60_000],
      ['action', T0 + 210_000],
    ]);
    expect(m.markers[2]!.label).toBe('rollback ✓');
    expect(m.data[0]).toHaveLength(180);
    // 285 s after the deploy: the view keeps 1.5× that before it, not all 40 min.
    expect(m.view).toEqual([(T0 - 427_500) / 1000, (T0 + 285_000) / 1000]);
    const short = buildChart('error_rate', { points: [...pts(T0 - 1_800_000, 120, () => 0.01), ...pts(T0, 2, () => 0.01)] }, { deployAt: T0, findings: [], actions: [] });
    expect(short.view[0]).toBe((T0 - 180_000) / 1000);
    expect(short.markers.map((x) => x.kind)).toEqual(['deploy']);
  });

  it('marks the first sign of trouble on charts that have no finding of their own', () => {
    const log = { id: 'log_new:T1', kind: 'log_new', subject: 'T1', severity: 0.8, direction: 'up', comparison: 'before_after', onset: T0 + 4000, stats: {}, text: '', evidence: { level: 'error' } } as Finding;
    const context = { ...onsetFinding, id: 'load', kind: 'load_change', subject: 'request_rate', severity: 0, onset: T0 + 1000 } as Finding;
    const m = buildChart('memory_bytes', { points: pts(T0 - 60_000, 8, () => 1) }, { deployAt: T0, findings: [log, context], actions: [] });
    expect(m.markers.find((x) => x.kind === 'onset')).toMatchObject({ at: T0 + 4000, title: 'onset: new error log line' });
    // a flat baseline still has a (zero-height) normal range, drawn as a line
    expect(m.band).toMatchObject({ lo: 1, hi: 1 });
    expect(buildChart('memory_bytes', { points: pts(T0, 3, () => 1) }, { deployAt: T0, findings: [], actions: [] }).window).toBeUndefined();
  });

  it('treats a baseline running past the deploy as the stable group and aligns timestamps', () => {
    const canary = pts(T0, 10, () => 0.2);
    const stable = pts(T0 + 5000, 10, () => 0.01);
    const m = buildChart('error_rate', { points: canary, baseline: stable }, { deployAt: T0, findings: [], actions: [] });
    expect(m.baselineKind).toBe('stable');
    expect(m.mainLabel).toBe('canary');
    expect(m.baselineLabel).toBe('stable group');
    expect(m.window).toBeUndefined();
    expect(m.data[0]).toHaveLength(20);
    expect(m.data[1].filter((v) => v !== null)).toHaveLength(10);
    expect(m.data[2].filter((v) => v !== null)).toHaveLength(10);
    expect(m.band!.median).toBeCloseTo(0.01, 6);
  });

  it('labels the time axis in UTC, with seconds only when needed', () => {
    expect(axisTimes([T0 / 1000, T0 / 1000 + 60])).toEqual(['12:00', '12:01']);
    expect(axisTimes([T0 / 1000, T0 / 1000 + 10])).toEqual(['12:00:00', '12:00:10']);
  });

  it('orders standard metrics first', () => {
    expect(orderMetrics(['zeta', 'memory_bytes', 'error_rate', 'alpha'])).toEqual(['error_rate', 'memory_bytes', 'alpha', 'zeta']);
  });
});

describe('settings, routes and formatting', () => {
  it('picks the first non-empty API base and strips trailing slashes', () => {
    expect(resolveApiBase(['', undefined, ' https://api.example.com/ ', 'http://x'])).toBe('https://api.example.com');
    expect(resolveApiBase([undefined, ''])).toBe('');
    expect(validApiBase('https://x.example')).toBe(true);
    expect(validApiBase('javascript:alert(1)')).toBe(false);
  });

  it('parses hash routes and builds list links with filters', () => {
    expect(parseRoute('#/deployments/abc%2F1')).toEqual({ page: 'deployment', id: 'abc/1' });
    expect(parseRoute('#/deployments?service=cart')).toEqual({ page: 'deployments', query: { service: 'cart' } });
    expect(parseRoute('')).toEqual({ page: 'deployments', query: {} });
    expect(parseRoute('#/audit?q=rollback')).toEqual({ page: 'audit', query: { q: 'rollback' } });
    expect(listHref({ service: 'cart', status: '' })).toBe('#/deployments?service=cart');
    expect(deploymentHref('a b')).toBe('#/deployments/a%20b');
  });

  it('formats ages, confidences and metric values', () => {
    expect(formatAge(T0 - 45_000, T0)).toBe('45s');
    expect(formatAge(T0 - 3_900_000, T0)).toBe('1h 5m');
    expect(formatAge(T0 + 5000, T0)).toBe('0s');
    expect(formatConfidence(0.934)).toBe('93%');
    expect(formatConfidence(undefined)).toBe('—');
    expect(formatMetric('error_rate', 0.071)).toBe('7.1%');
    expect(formatMetric('memory_bytes', 512 * 1048576)).toBe('512 MiB');
    expect(formatMetric('latency_p95_ms', null)).toBe('—');
  });
});

describe('audit, policy and timeline text', () => {
  it('states the hash chain verdict', () => {
    expect(verifyView({ ok: true, checked: 1200 })).toEqual({ ok: true, text: 'Hash chain verified over 1,200 events.' });
    expect(verifyView({ ok: false, checked: 10, brokenAt: 7, reason: 'hash mismatch' }).text).toBe('Hash chain BROKEN at event #7: hash mismatch.');
    expect(verifyView('garbage').ok).toBeUndefined();
    expect(eventsFromAudit({ events: [1, 2] })).toHaveLength(2);
  });

  it('normalises policy versions, turning action counts into shares', () => {
    const v = policyVersions({
      active: 'v2',
      versions: [
        { version: 'v2', createdAt: '2026-03-02T12:00:00Z', metrics: { accuracy: 0.9, reward: 0.7 }, actionMix: { rollback: 30, continue: 70 }, learnedFrom: { outcomes: 12 } },
        { version: 'v1', createdAt: '2026-03-01T12:00:00Z', accuracy: 0.8 },
        { nope: true },
      ],
    });
    expect(v.map((x) => x.version)).toEqual(['v1', 'v2']);
    expect(v[1]).toMatchObject({ active: true, accuracy: 0.9, reward: 0.7, learnedFrom: 'outcomes: 12' });
    expect(v[1]!.actionMix.rollback).toBeCloseTo(0.3, 6);
    expect(v[0]!.active).toBe(false);
  });

  it('reads the policy store shape: training record, metrics, activation history', () => {
    const body = {
      active: 'v2',
      versions: [
        { version: 'v1', createdAt: 1, kind: 'prior', training: { count: 4000, description: 'simulated incidents' }, metrics: {} },
        { version: 'v2', parent: 'v1', createdAt: 2, kind: 'online', training: { count: 4001, description: 'v1 + outcome of dep1 (rollback, reward 1.00)' }, metrics: { reward: 1, ope_dr: 0.71, ope_n: 12 } },
      ],
      history: [[1, 'v1', 'prior'], [2, 'v2', 'promoted']],
    };
    const v = policyVersions(body);
    expect(v[1]).toMatchObject({ version: 'v2', parent: 'v1', kind: 'online', active: true, reward: 1, estimatedValue: 0.71 });
    expect(v[0]!.learnedFrom).toBe('simulated incidents · 4,000 outcomes in total');
    expect(policyVersions({ versions: [{ version: 'v3', samples: { continue: 3, rollback: 1 } }] })[0]!.actionMix).toEqual({ continue: 0.75, rollback: 0.25 });
    expect(policyHistory(body).map((h) => h.version)).toEqual(['v2', 'v1']);
  });

  it('describes decisions and outcomes in one line', () => {
    expect(describeEvent(ev('decision.made', { decision: { action: 'rollback', confidence: 0.93 }, guard: { mode: 'execute' } }))).toBe('Roll back 93% → acted on its own');
    expect(describeEvent(ev('decision.made', { decision: { action: 'rollback', confidence: 0.6 }, guard: { mode: 'await_approval' } }))).toBe('Roll back 60% → waits for a person');
    expect(describeEvent(ev('watch.started', { windowSeconds: 600, baselineSeconds: 1800, stepSeconds: 15 }))).toBe('watching 10 min after the deploy against the 30 min before it, every 15 s');
    expect(describeEvent(ev('outcome.verified', { outcome: { recovered: true, detail: 'error rate back to 0.4%' } }))).toBe('recovered: error rate back to 0.4%');
  });
});

describe('findings in words', () => {
  // the log finding the live demo's throwing version produces (stats as src/analysis writes them)
  const thrown: Finding = {
    id: 'log_new:T345a104e', kind: 'log_new', subject: 'T345a104e', severity: 0.77, direction: 'up', comparison: 'before_after', onset: T0 + 4000,
    stats: { count_after: 22, count_before: 0, per_min_after: 264, per_min_before: 0, p_value: 3.1134812112267433e-25, level_weight: 1, kind_code: 1, kind_dependency: 0, kind_capacity: 0, kind_telemetry: 0, kind_config: 0 },
    text: "New error ×22 since the deploy (code): TypeError: Cannot read properties of undefined (reading '<*>')",
    evidence: { template: "TypeError: Cannot read properties of undefined (reading '<*>')", level: 'error', samples: ['TypeError: …'] },
  };

  it('says a log finding in words, never through its internal stat names', () => {
    const w = findingWords(thrown);
    expect(w).toMatchObject({ title: 'New error log line', cause: 'program fault', strength: 'strong' });
    expect(w.facts).toEqual(['p = 3e-25, 264/min after vs 0 before', '22 lines since the deploy, 0 before']);
    expect(JSON.stringify(w)).not.toMatch(/kind_|level_weight|per_min|count_/);
    expect(findingWords({ ...thrown, kind: 'log_spike', stats: { ...thrown.stats, kind_code: 0, kind_dependency: 1, per_min_before: 2.5 } })).toMatchObject({
      title: 'Error log line spiking',
      cause: 'a dependency failing',
      facts: ['p = 3e-25, 264/min after vs 2.5 before', '22 lines since the deploy, 0 before'],
    });
  });

  it('says metric, trend, restart, trace and gap findings in words', () => {
    const base = { direction: 'up', comparison: 'before_after', text: '' } as const;
    const shift = findingWords({ ...base, id: 'metric_shift:error_rate', kind: 'metric_shift', subject: 'error_rate', severity: 0.9, stats: { before_median: 0.002, recent_median: 0.071, z: 4.2, z_crit: 2.9, run_length: 6, sustained: 1, practical: 1, n_before: 120, n_after: 8 } });
    expect(shift.title).toBe('Error rate moved up');
    expect(shift.comparison).toBe('after vs before the deploy');
    expect(shift.facts).toEqual(['median 7.1% now vs 0.2% before', 'the last 6 samples all beyond the normal range', '8 samples after vs 120 before']);
    // without a run, the rank test made the call; a rank test that did not is not quoted
    const ranked = { ...base, id: 'metric_shift:latency_p95_ms', kind: 'metric_shift', subject: 'latency_p95_ms', severity: 0.6, stats: { before_median: 100, after_median: 180, z: 4.2, z_crit: 2.9 } } as const;
    expect(findingWords(ranked).facts).toEqual(['median 180 ms now vs 100 ms before', 'rank test z = 4.2 (needs 2.9)']);
    expect(findingWords({ ...ranked, stats: { ...ranked.stats, z: 2, run_length: 3 } }).facts).toEqual(['median 180 ms now vs 100 ms before', 'the last 3 samples all beyond the normal range']);
    const leak = findingWords({ ...base, id: 'metric_trend:memory_bytes', kind: 'metric_trend', subject: 'memory_bytes', comparison: 'trend', severity: 0.95, stats: { slope_per_min: 12 * 1048576, current: 300 * 1048576, before_median: 200 * 1048576, time_to_limit_min: 7, time_to_limit_lo_min: 5, time_to_limit_hi_min: Infinity } });
    expect(leak.facts).toEqual(['grows 12 MiB/min', '300 MiB now vs 200 MiB before', 'limit reached in ~7 min (5–∞ min)']);
    expect(findingWords({ ...base, id: 'restarts', kind: 'restarts', subject: 'restarts', severity: 0.8, stats: { increase: 4, replicas: 2, stable_increase: 0 } }).facts).toEqual(['4 restarts since the deploy across 2 replicas']);
    expect(findingWords({ ...base, id: 'trace_operation:GET /cart', kind: 'trace_operation', subject: 'GET /cart', severity: 0.7, stats: { error_rate_after: 0.3, error_rate_before: 0, p_errors: 1e-9, duration_median_after: 40, duration_median_before: 38, spans_after: 200, spans_before: 900 } }).facts[0]).toBe('errors 30% of calls vs 0% before (p = 1e-9)');
    const gap = findingWords({ ...base, id: 'data_gap:metrics', kind: 'data_gap', subject: 'error_rate,latency_p95_ms', comparison: 'none', direction: 'none', severity: 0.8, stats: { gapped_metrics: 2, watched_metrics: 6 } });
    expect(gap).toMatchObject({ title: 'Telemetry missing', facts: ['2 of 6 metrics stopped arriving: Error rate, Latency (p95)'] });
    expect(gap.comparison).toBeUndefined();
    expect(findingWords({ ...base, id: 'load_context:request_rate', kind: 'load_change', subject: 'request_rate', severity: 0, stats: {} }).strength).toBe('context');
  });

  it('ranks strongest first and formats p-values as people write them', () => {
    const a = { ...thrown, id: 'a', severity: 0.2 };
    const b = { ...thrown, id: 'b', severity: 0.9 };
    expect(rankFindings([a, b]).map((f) => f.id)).toEqual(['b', 'a']);
    expect(formatP(0.034)).toBe('p = 0.034');
    expect(formatP(4.2e-24)).toBe('p = 4e-24');
    expect(metricLabel('latency_p95_ms')).toBe('Latency (p95)');
    expect(metricLabel('queue_depth')).toBe('queue_depth');
  });

  it('reads where the watch baseline starts from its timeline', () => {
    expect(baselineFrom([ev('watch.started', { baselineSeconds: 60 })], T0)).toBe(T0 - 60_000);
    expect(baselineFrom([ev('signals.collected', { from: T0 - 5000 })], T0)).toBe(T0 - 5000);
    expect(baselineFrom([], T0)).toBeUndefined();
  });
});
