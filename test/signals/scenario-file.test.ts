import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadScenario, parseScenarioText, ScenarioError } from '../../src/signals/scenario-file.js';
import { ScenarioSource } from '../../src/signals/scenario.js';
import { VirtualClock } from '../../src/core/clock.js';

const good = {
  id: 's1', service: 'checkout', environment: 'staging', stepSeconds: 15,
  deployment: { version: 'v2', at: '2026-03-02T12:00:00Z' },
  metrics: { error_rate: [['2026-03-02T11:59:45Z', 0.01], ['2026-03-02T12:00:00Z', 0.02], ['2026-03-02T12:00:15Z', 0.5]] },
  logs: [{ at: '2026-03-02T12:00:10Z', level: 'ERROR', message: 'boom' }, { at: '2026-03-02T12:00:20Z', level: 'warning', message: 'later' }],
  truth: { cause: 'deploy_regression', onset: '2026-03-02T12:00:15Z', bestAction: 'rollback', deadline: null },
};

describe('scenario file', () => {
  it('parses, normalises levels and keeps truth apart', () => {
    const { scenario, truth } = parseScenarioText(JSON.stringify(good));
    expect('truth' in scenario).toBe(false);
    expect(truth?.bestAction).toBe('rollback');
    expect(scenario.logs.map((l) => l.level)).toEqual(['error', 'warn']);
  });
  it('names the bad field in a one-line error', () => {
    expect(() => parseScenarioText('{nope')).toThrow(/not valid JSON/);
    const bad = structuredClone(good) as Record<string, unknown>;
    (bad.deployment as Record<string, unknown>).at = 'yesterday';
    expect(() => parseScenarioText(JSON.stringify(bad))).toThrow(/deployment\.at: not an ISO-8601 time/);
    const bad2 = { ...good, metrics: { error_rate: [['2026-03-02T12:00:00Z', 'x']] } };
    expect(() => parseScenarioText(JSON.stringify(bad2))).toThrow(ScenarioError);
    expect(() => parseScenarioText(JSON.stringify({ ...good, stepSeconds: -1 }))).toThrow(/stepSeconds/);
  });
  it('reports a missing file clearly', () => {
    expect(() => loadScenario('/nonexistent/x.json')).toThrow(/cannot read .*ENOENT/);
    const d = mkdtempSync(join(tmpdir(), 'scn-'));
    writeFileSync(join(d, 'a.json'), '[]');
    expect(() => loadScenario(join(d, 'a.json'))).toThrow(ScenarioError);
    rmSync(d, { recursive: true });
  });
  it('the source reveals only data up to the clock', async () => {
    const { scenario } = parseScenarioText(JSON.stringify(good));
    const clock = new VirtualClock(Date.parse('2026-03-02T12:00:10Z'));
    const src = new ScenarioSource(scenario, clock);
    const q = { deployment: { service: 'checkout', environment: 'staging', version: 'v2', at: Date.parse('2026-03-02T12:00:00Z') }, from: 0, to: Date.parse('2026-03-03T00:00:00Z'), stepSeconds: 15 };
    const b = await src.collect(q);
    expect(b.metrics.error_rate?.map((p) => p[1])).toEqual([0.01, 0.02]);
    expect(b.logs.map((l) => l.message)).toEqual(['boom']);
    clock.set(Date.parse('2026-03-02T12:00:30Z'));
    expect((await src.collect(q)).logs).toHaveLength(2);
    expect(src.lastTime()).toBe(Date.parse('2026-03-02T12:00:20Z'));
  });
});
