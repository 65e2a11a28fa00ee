import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadScenario } from '../../src/signals/scenario-file.js';
import { replayScenario } from '../../src/loop/replay.js';

const dir = join(import.meta.dirname, '../fixtures/scenarios');
// Expected answers live here, not in the fixture files (their `truth` was stripped).
const EXPECTED: Array<[file: string, action: string, onset?: string]> = [
  ['regression-errors.json', 'rollback', '2026-06-25T21:25:00Z'],
  ['canary-regression.json', 'rollback', '2026-05-11T02:24:30Z'],
  ['load-surge.json', 'scale_up', '2026-01-24T23:30:15Z'],
  ['dependency-outage.json', 'escalate', '2026-04-18T18:16:45Z'],
  ['no-data.json', 'escalate', '2026-06-06T05:57:00Z'],
  ['healthy.json', 'continue'],
];

describe('replay', () => {
  for (const [file, action, onset] of EXPECTED) {
    it(`${file}: ${action}, not before the onset, within a few steps of it`, () => {
      const { scenario, truth } = loadScenario(join(dir, file));
      expect(truth).toBeUndefined();
      const r = replayScenario(scenario);
      const acted = r.decisions.find((d) => d.action !== 'continue');
      expect(acted?.action ?? 'continue').toBe(action);
      if (acted && onset) {
        const start = Math.max(Date.parse(onset), Date.parse(scenario.deployment.at));
        expect(acted.at).toBeGreaterThanOrEqual(Date.parse(onset));
        expect((acted.at - start) / (scenario.stepSeconds * 1000)).toBeLessThanOrEqual(10);
        expect(acted.acted).toBe(true);
        expect(acted.confidence).toBeGreaterThan(0.5);
        expect(acted.reasons.length).toBeGreaterThan(0);
      }
      // decisions are listed only when the action changes (or the acted one)
      for (let i = 1; i < r.decisions.length; i++) expect(r.decisions[i].action !== r.decisions[i - 1].action || r.decisions[i].acted).toBe(true);
    });
  }
  it('uses only data up to each tick: cutting the scenario after the acted tick changes nothing', () => {
    const { scenario } = loadScenario(join(dir, 'regression-errors.json'));
    const full = replayScenario(scenario);
    const at = full.decisions.find((d) => d.acted)!.at;
    const cut = structuredClone(scenario);
    for (const k of Object.keys(cut.metrics)) cut.metrics[k] = cut.metrics[k].filter((p) => Date.parse(p[0]) <= at);
    cut.logs = cut.logs.filter((l) => Date.parse(l.at) <= at);
    const part = replayScenario(cut);
    expect(part.decisions).toEqual(full.decisions);
  });
});
