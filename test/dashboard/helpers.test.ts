// Pure dashboard helpers: list model, live patching, chart preparation, config and routing.
import { describe, expect, it } from 'vitest';
import type { DecisionRecord, DeploymentDetailResponse, DeploymentListItem } from '../../src/core/api.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import type { Finding } from '../../src/core/types.js';
import { applyEvent, evidenceAt, primaryDecision, rowFromDetail, visibleRows, EMPTY_FILTERS, distinct, listFromResponse } from '../../dashboard/src/lib/deployments.js';
import { buildChart, orderMetrics } from '../../dashboard/src/lib/chart.js';
import { resolveApiBase, validApiBase } from '../../dashboard/src/lib/config.js';
import { parseRoute, listHref, deploymentHref } from '../../dashboard/src/lib/route.js';
import { formatAge, formatConfidence, formatMetric } from '../../dashboard/src/lib/format.js';
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

  it('computes the before-deploy band and marks deploy, onset and action', () => {
    const points = [...pts(T0 - 600_000, 40, (i) => (i % 2 ? 0.01 : 0.03)), ...pts(T0, 20, () => 0.3)];
    const m = buildChart('error_rate', { points }, T0, [onsetFinding], [
      { id: 'a', decisionId: 'x', action: 'rollback', requestedAt: T0 + 200_000, finishedAt: T0 + 210_000, status: 'executed', actuator: 'simulated' },
    ]);
    expect(m.baselineKind).toBe('none');
    expect(m.band!.mean).toBeCloseTo(0.02, 6);
    expect(m.band!.lo).toBeLessThan(0.02);
    expect(m.band!.hi).toBeLessThan(0.3); // the after data lies outside the normal range
    expect(m.afterMean).toBeCloseTo(0.3, 6);
    expect(m.markers.map((x) => [x.kind, x.at])).toEqual([
      ['deploy', T0],
      ['onset', T0 + 60_000],
      ['action', T0 + 210_000],
    ]);
    expect(m.data[0]).toHaveLength(60);
    // 285 s after the deploy: the view keeps 10 min before it (the minimum), not all 30.
    expect(m.view).toEqual([(T0 - 600_000) / 1000, (T0 + 285_000) / 1000]);
    const long = buildChart('error_rate', { points: pts(T0 - 1_800_000, 160, () => 0.01) }, T0, [], []);
    expect(long.view[0]).toBe((T0 - 2 * (T0 - 1_800_000 + 159 * 15_000 - T0)) / 1000);
    expect(m.data[0][0]).toBe((T0 - 600_000) / 1000);
  });

  it('treats a baseline running past the deploy as the stable group and aligns timestamps', () => {
    const canary = pts(T0, 10, () => 0.2);
    const stable = pts(T0 + 5000, 10, () => 0.01);
    const m = buildChart('error_rate', { points: canary, baseline: stable }, T0, [], []);
    expect(m.baselineKind).toBe('stable');
    expect(m.mainLabel).toBe('canary');
    expect(m.data[0]).toHaveLength(20);
    expect(m.data[1].filter((v) => v !== null)).toHaveLength(10);
    expect(m.data[2].filter((v) => v !== null)).toHaveLength(10);
    expect(m.band!.mean).toBeCloseTo(0.01, 6);
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
    expect(describeEvent(ev('decision.made', { decision: { action: 'rollback', confidence: 0.93 }, guard: { mode: 'execute' } }))).toBe('Roll back 93% → execute');
    expect(describeEvent(ev('outcome.verified', { outcome: { recovered: true, detail: 'error rate back to 0.4%' } }))).toBe('recovered: error rate back to 0.4%');
  });
});
