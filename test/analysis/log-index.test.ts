import { describe, expect, it } from 'vitest';
import { classifyTemplate, indexLogs, targetNames } from '../../src/analysis/log-index.js';
import type { LogRecord } from '../../src/core/types.js';

describe('log index', () => {
  it('classifies failure kinds from the text', () => {
    expect(classifyTemplate('503 Service Unavailable: too many concurrent requests (812)')).toBe('capacity');
    expect(classifyTemplate('upstream pricing-api timed out after 3000ms', true)).toBe('dependency');
    expect(classifyTemplate("TypeError: Cannot read properties of undefined (reading 'x')")).toBe('code');
    expect(classifyTemplate('metrics push to pushgateway:9091 failed: write EPIPE')).toBe('telemetry');
    expect(classifyTemplate('cache warmed in 120ms')).toBe('other');
  });
  it('tells a failing known dependency from a host only the new version uses', () => {
    expect(targetNames('Error: connect ECONNREFUSED 10.0.0.7:6379 (redis)')).toContain('redis');
    const DEPLOY = 1_000_000;
    const logs: LogRecord[] = [
      { at: DEPLOY - 5000, level: 'warn', message: 'retrying request to redis (attempt 1/3)' },
      ...Array.from({ length: 5 }, (_, i) => ({ at: DEPLOY + i * 1000, level: 'error' as const, message: `Error: connect ECONNREFUSED 10.0.0.${i}:6379 (redis)` })),
      ...Array.from({ length: 5 }, (_, i) => ({ at: DEPLOY + i * 1000 + 1, level: 'error' as const, message: 'Error: getaddrinfo ENOTFOUND cache-v2.internal' })),
    ];
    const stats = indexLogs(logs, DEPLOY).stats();
    const kindOf = (needle: string) => stats.find((t) => t.samples[0]?.includes(needle))?.kind;
    expect(kindOf('(redis)')).toBe('dependency');
    expect(kindOf('cache-v2.internal')).toBe('config');
  });
  it('a connectivity failure to a target the logs never named is a dependency failure, not new config', () => {
    // healthy services rarely log successful calls: a dependency first shows up in logs when it fails
    const DEPLOY = 1_000_000;
    const logs: LogRecord[] = [
      ...Array.from({ length: 20 }, (_, i) => ({ at: DEPLOY - 60_000 + i * 1000, level: 'info' as const, message: `GET /api/orders 200 in ${40 + i}ms` })),
      ...Array.from({ length: 6 }, (_, i) => ({ at: DEPLOY + 45_000 + i * 1000, level: 'error' as const, message: `connect ECONNREFUSED ledger-db:5432 (request ${1000 + i * 37})` })),
      ...Array.from({ length: 6 }, (_, i) => ({ at: DEPLOY + 45_000 + i * 1000 + 1, level: 'error' as const, message: `password authentication failed for user "orders_rw" (orders-db.prod.svc:5432)` })),
    ];
    const stats = indexLogs(logs, DEPLOY).stats();
    const kindOf = (needle: string) => stats.find((t) => t.samples[0]?.includes(needle))?.kind;
    expect(kindOf('ledger-db')).toBe('dependency');
    expect(kindOf('password authentication')).toBe('config');
    expect(classifyTemplate('request to billing-api failed: ETIMEDOUT 10.0.0.3:443', false)).toBe('dependency');
    expect(classifyTemplate('Error: getaddrinfo ENOTFOUND billing-v2.internal', false)).toBe('config');
  });
  it('incremental sync equals a rebuild, and refuses non-extensions without changing state', () => {
    const recs: LogRecord[] = Array.from({ length: 50 }, (_, i) => ({ at: i * 1000, level: i % 5 ? 'info' : 'error', message: `job ${i} done in ${i * 3}ms` }));
    const inc = indexLogs([], 25_000);
    expect(inc.sync(recs.slice(0, 20))).toBe(true);
    expect(inc.sync([...recs.slice(0, 20), { at: 0, level: 'info', message: 'late' }])).toBe(false);
    expect(inc.sync(recs)).toBe(true);
    expect(inc.stats()).toEqual(indexLogs(recs, 25_000).stats());
  });
});
