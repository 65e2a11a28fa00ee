import { describe, expect, it } from 'vitest';
import { indexLogs } from '../../src/analysis/log-index.js';
import type { LogRecord } from '../../src/core/types.js';

describe('LogIndex with templates the miner merges later', () => {
  it('does not report a pre-deploy template as new after it generalises', () => {
    const deployAt = 1_000_000;
    const recs: LogRecord[] = [];
    for (let i = 0; i < 5; i++) recs.push({ at: deployAt - 60_000 + i * 1000, level: 'warn', message: 'session refused for alice by gateway' });
    const names = ['bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
    names.forEach((n, i) => recs.push({ at: deployAt + 1000 + i * 1000, level: 'warn', message: `session refused for ${n} by gateway` }));
    const stats = indexLogs(recs, deployAt).stats();
    const related = stats.filter((s) => s.template.startsWith('session refused for'));
    // the name varies across enough lines for the miner to generalise, merging the post-deploy
    // groups into the older pre-deploy one: their counts must be folded together
    const newSinceDeploy = related.filter((s) => s.before === 0 && s.after > 0);
    const merged = related.find((s) => s.before === 5);
    expect(merged).toBeDefined();
    expect(merged!.template).toBe('session refused for <*> by gateway');
    expect(newSinceDeploy).toEqual([]);
    expect(merged!.after).toBe(names.length);
  });
});
