import { describe, expect, it } from 'vitest';
import { detached } from '../../src/analysis/detached.js';

describe('detached', () => {
  it('returns an equal string, short or long, ASCII or not', () => {
    const chunk = 'head ' + 'x'.repeat(100) + ' tail ünïcödé ✓';
    for (const s of ['', 'ab', chunk.slice(5, 40), chunk, chunk.slice(90)]) expect(detached(s)).toBe(s);
  });
});
