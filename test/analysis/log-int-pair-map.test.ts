import { describe, expect, it } from 'vitest';
import { IntPairMap } from '../../src/analysis/int-pair-map.js';

describe('IntPairMap', () => {
  it('behaves like a Map keyed by both integers, through growth and colliding halves', () => {
    const m = new IntPairMap<string>();
    const ref = new Map<string, string>();
    let seed = 7;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
    for (let i = 0; i < 20_000; i++) {
      // few distinct first halves: many keys share one, as hole keys of one template would
      const a = rnd() & 15;
      const b = i % 3 === 0 ? rnd() : rnd() & 0xfff;
      const v = `v${i}`;
      m.set(a, b, v);
      ref.set(`${a},${b}`, v);
    }
    expect(m.size).toBe(ref.size);
    for (const [k, v] of ref) {
      const [a, b] = k.split(',').map(Number);
      expect(m.get(a, b)).toBe(v);
    }
    expect(m.get(99, 99)).toBeUndefined();
  });

  it('treats numbers as their 32-bit integer values (sums of hashes may overflow)', () => {
    const m = new IntPairMap<number>();
    m.set(2 ** 32 + 5, -1, 1);
    expect(m.get(5, 2 ** 32 - 1)).toBe(1);
    m.set(5, -1, 2);
    expect(m.get(5, -1)).toBe(2);
    expect(m.size).toBe(1);
  });
});
