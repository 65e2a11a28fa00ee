// The development scenarios with their right answers (`dev-*.json` of shared/bench-data/scenarios),
// in file order: what the decision benches play.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../src/core/scenario.js';

export function loadDevScenarios(dir: string): Scenario[] {
  return readdirSync(dir)
    .filter((f) => /^dev-.*\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Scenario)
    .filter((s) => s.truth);
}
