// The shared lock: holders in different pools (as in different processes) never overlap, and
// a failing holder still releases it.
import { describe, expect, it } from 'vitest';
import { createPgLock } from '../../src/store/pg-lock.js';
import { PG_URL, pgAvailable } from './pg-helpers.js';

const available = await pgAvailable();
describe.skipIf(!available)('PostgreSQL shared lock', () => {
  it('serializes holders across connections and releases after a failure', async () => {
    const a = createPgLock(PG_URL);
    const b = createPgLock(PG_URL);
    try {
      const name = `lock-test-${process.pid}-${Date.now()}`;
      let inside = 0;
      let peak = 0;
      const log: string[] = [];
      const hold = (who: string, ms: number) => async () => {
        peak = Math.max(peak, ++inside);
        log.push(`${who}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${who}-`);
        inside--;
        return who;
      };
      const results = await Promise.all([a.withLock(name, hold('a1', 150)), b.withLock(name, hold('b1', 50)), a.withLock(name, hold('a2', 50)), b.withLock(name, hold('b2', 50))]);
      expect(results).toEqual(['a1', 'b1', 'a2', 'b2']);
      expect(peak).toBe(1);
      expect(log).toHaveLength(8);
      for (let i = 0; i < 8; i += 2) expect(log[i + 1]).toBe(log[i].replace('+', '-'));

      await expect(a.withLock(name, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      // released: the other connection gets it at once
      const t0 = Date.now();
      expect(await b.withLock(name, async () => 'free')).toBe('free');
      expect(Date.now() - t0).toBeLessThan(1_000);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
