// The loki source against a faithful local fake of Loki's documented query_range API
// (Loki itself cannot run here): templating, level/message parsing, paging, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LokiSource, parseLine } from '../../src/signals/loki.js';
import { LokiFake } from '../fakes/loki-fake.js';

const fake = new LokiFake();
const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);
const dep = { service: 'checkout', environment: 'production', version: 'v2.15.0', at: T0 };

beforeAll(async () => {
  await fake.start();
  fake.push({ service_name: 'checkout', env: 'production', version: 'v2.15.0' }, [
    [T0 + 1000, '{"level":50,"time":1,"msg":"TypeError: Cannot read properties of undefined (reading \'price\')"}'],
    [T0 + 2000, 'level=warn msg="slow upstream" upstream=payments'],
    [T0 + 3000, '2026-03-02T12:00:03Z ERROR connection reset by peer'],
  ]);
  fake.push({ service_name: 'checkout', env: 'staging' }, [[T0 + 1500, 'level=info msg=ok']]);
  fake.push({ service_name: 'billing', env: 'production' }, [[T0 + 1000, 'level=error msg=nope']]);
  // many lines for paging, four of them on one timestamp at the page boundary
  fake.push(
    { service_name: 'search', env: 'production' },
    Array.from({ length: 23 }, (_, i) => [T0 + 10_000 + Math.min(i, 19) * 1000, `line ${i}`] as [number, string]),
  );
});
afterAll(async () => {
  await fake.stop();
});

describe('loki source', () => {
  it('reads the window for the service with level, message and version', async () => {
    const src = new LokiSource({ url: fake.url, query: '{service_name="${service}", env="${environment}"}' });
    const b = await src.collect({ deployment: dep, from: T0, to: T0 + 60_000, stepSeconds: 15 });
    expect(b.problems).toEqual([]);
    expect(b.logs.map((l) => [l.at - T0, l.level, l.message, l.version])).toEqual([
      [1000, 'error', "TypeError: Cannot read properties of undefined (reading 'price')", 'v2.15.0'],
      [2000, 'warn', 'slow upstream', 'v2.15.0'],
      [3000, 'error', '2026-03-02T12:00:03Z ERROR connection reset by peer', 'v2.15.0'],
    ]);
    const sent = fake.requests.at(-1)!;
    expect(sent.searchParams.get('query')).toBe('{service_name="checkout", env="production"}');
    expect(sent.searchParams.get('start')).toBe(`${T0}000000`);
    expect(sent.searchParams.get('direction')).toBe('forward');
  });

  it('pages forward through a window larger than the limit without losing or repeating lines', async () => {
    const src = new LokiSource({ url: fake.url, limit: 5, query: '{service_name="${service}"}' });
    const b = await src.collect({ deployment: { ...dep, service: 'search' }, from: T0, to: T0 + 60_000, stepSeconds: 15 });
    expect(b.logs.map((l) => l.message).sort()).toEqual(Array.from({ length: 23 }, (_, i) => `line ${i}`).sort());
  });

  it('turns Loki errors and empty results into problems', async () => {
    const bad = new LokiSource({ url: fake.url, query: 'service_name="${service}"' });
    const b = await bad.collect({ deployment: dep, from: T0, to: T0 + 60_000, stepSeconds: 15 });
    expect(b.logs).toEqual([]);
    expect(b.problems[0].message).toMatch(/HTTP 400: parse error/);
    const empty = await new LokiSource({ url: fake.url }).collect({ deployment: { ...dep, service: 'cart' }, from: T0, to: T0 + 60_000, stepSeconds: 15 });
    expect(empty.problems[0].message).toMatch(/no log lines for cart/);
    const evil = await new LokiSource({ url: fake.url }).collect({ deployment: { ...dep, service: 'x"} |= "' }, from: T0, to: T0 + 1, stepSeconds: 15 });
    expect(evil.problems[0].message).toMatch(/cannot go into a LogQL label value/);
  });

  it('parses levels from labels, JSON, logfmt and plain text', () => {
    expect(parseLine({ level: 'ERROR' }, 'x').level).toBe('error');
    expect(parseLine({}, '{"severity":"warning","message":"m"}')).toMatchObject({ level: 'warn', message: 'm' });
    expect(parseLine({}, 'FATAL out of memory').level).toBe('fatal');
    expect(parseLine({}, 'just text').level).toBe('info');
  });
});
