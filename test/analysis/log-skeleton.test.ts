import { describe, expect, it } from 'vitest';
import { MAY_PREMASK, SkeletonCache, sameSkeleton, skeletonHash } from '../../src/analysis/log-skeleton.js';

describe('digit skeleton', () => {
  it('texts that differ only in their digits share a skeleton, and its hash', () => {
    const pairs = [
      ['blk_123', 'blk_987'],
      ['Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106', 'Receiving block blk_-7777777777777777777 src: /10.251.11.109:50010'],
      ['ünïcödé 12 ✓', 'ünïcödé 99 ✓'],
    ];
    for (const [a, b] of pairs) {
      expect(sameSkeleton(a, b)).toBe(true);
      expect(skeletonHash(a)).toBe(skeletonHash(b));
    }
  });

  it('digits of names (after a letter in the same word) are part of the skeleton', () => {
    expect(sameSkeleton('via ssh2 port 22', 'via ssh2 port 99')).toBe(true);
    expect(sameSkeleton('via ssh2 port 22', 'via ssh3 port 22')).toBe(false);
    expect(sameSkeleton('jk2_init() child 6725', 'jk2_init() child 1234')).toBe(true);
    expect(sameSkeleton('jk2_init() child 6725', 'jk3_init() child 6725')).toBe(false);
    expect(sameSkeleton('Brcm43xx up', 'Brcm44xx up')).toBe(false);
    const long = (d: string): string => 'AirPort_Brcm43xx::syncPowerState: WWEN[enabled] ' + d;
    expect(skeletonHash(long('1234'))).toBe(skeletonHash(long('9876')));
    expect(skeletonHash(long('1234'))).not.toBe(skeletonHash(long('1234').replace('43', '44')));
  });

  it('any other difference (a letter, a length, a digit for a letter) is a different skeleton', () => {
    expect(sameSkeleton('blk_123', 'blk_1234')).toBe(false);
    expect(sameSkeleton('ssh2 x', 'ssh2 y')).toBe(false);
    expect(sameSkeleton('a1', 'ab')).toBe(false);
    expect(skeletonHash('user alice logged in from 10.0.0.1')).not.toBe(skeletonHash('user bobby logged in from 10.0.0.1'));
  });

  it('flags texts that preMask may change (a quote, or dashes laid out as in a UUID), also past the encoding buffer', () => {
    expect(skeletonHash('plain line 42') & MAY_PREMASK).toBe(0);
    expect(skeletonHash('a plain line that is long enough for bytes 42') & MAY_PREMASK).toBe(0);
    // a dash alone (dates, hyphenated words, negative ids) leaves preMask nothing to do
    expect(skeletonHash('req-1 on 2024-01-02 for blk_-42 in a long enough line') & MAY_PREMASK).toBe(0);
    const uuid = '123e4567-e89b-12d3-a456-426614174000';
    for (const t of ["user 'bob'", 'say "hi" to everyone in the room please', 'id `x`', `job ${uuid} done`, `j ${uuid}`, 'x'.repeat(20_000) + ' "q"', 'x'.repeat(20_000) + ` ${uuid}`]) {
      expect(skeletonHash(t) & MAY_PREMASK).toBe(MAY_PREMASK);
    }
  });

  it('reads values by kind: numbers, 0x values and hex ids of one length share a skeleton; names keep theirs', () => {
    const same = [
      ['addr 0x1f2e err', 'addr 0xab09 err'],
      ['commit a489c868f0 pushed', 'commit 0d1e2f3a4b pushed'], // hex ids: any pattern of digits and letters
      ['took 12ms', 'took 98ms'],
      ['host 87T79 x', 'host 12Q45 x'],
    ];
    for (const [a, b] of same) {
      expect(sameSkeleton(a, b)).toBe(true);
      expect(skeletonHash(a)).toBe(skeletonHash(b));
    }
    // names: letters first and not a 6+ hex id
    expect(sameSkeleton('eth0 up', 'eth1 up')).toBe(false);
    expect(sameSkeleton('abc1 up', 'abd1 up')).toBe(false); // 4 hex characters: a name
    expect(sameSkeleton('cafe12 up', 'beef34 up')).toBe(true); // 6: an id
    // a hex letter is not a digit, an id of 6 is not one of 7
    expect(sameSkeleton('commit a489c868f0 pushed', 'commit a489c868f00 pushed')).toBe(false);
    expect(sameSkeleton('took 12ms', 'took 12m9')).toBe(false);
  });

  it('hashes long texts (past the encoding buffer) and stays a small integer', () => {
    const long = 'x'.repeat(20_000) + ' 123';
    const h = skeletonHash(long);
    expect(h).toBe(skeletonHash('x'.repeat(20_000) + ' 456'));
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
    expect(sameSkeleton(long, 'x'.repeat(20_000) + ' 45g')).toBe(false);
    expect(sameSkeleton(long, 'x'.repeat(20_000) + ' 45a')).toBe(true); // digits and hex letters of a value read alike
  });
});

describe('SkeletonCache', () => {
  const lookup = (c: SkeletonCache<number>, text: string): number | undefined => c.get(c.hash(text));
  const store = (c: SkeletonCache<number>, text: string, v: number): void => c.set(c.hash(text), v);

  it('finds a value by skeleton, for long (byte form) and short (string form) texts', () => {
    const c = new SkeletonCache<number>();
    const long = (d: string): string => `Receiving block blk_${d} src: /10.250.19.102:54106 via ssh2`;
    store(c, long('-1608999687919862906'), 1);
    store(c, 'port 22', 2);
    expect(lookup(c, long('-7777777777777777777'))).toBe(1);
    expect(lookup(c, long('-7777777777777777777').replace('ssh2', 'ssh3'))).toBeUndefined();
    expect(lookup(c, 'port 99')).toBe(2);
    expect(lookup(c, 'port 999')).toBeUndefined();
  });

  it('never confuses texts whose UTF-8 bytes coincide (lone surrogates are written as U+FFFD)', () => {
    const c = new SkeletonCache<number>();
    const text = (x: string): string => `a long enough line with an odd character ${x} in it 42`;
    store(c, text('\uD800'), 1);
    expect(lookup(c, text('\uDC00'))).toBeUndefined();
    expect(lookup(c, text('\uFFFD'))).toBeUndefined();
    expect(lookup(c, text('\uD800').replace('42', '17'))).toBe(1);
  });

  it('is bounded: full, it starts over (a miss, never a wrong value)', () => {
    const c = new SkeletonCache<number>(100, 4096);
    for (let i = 0; i < 1000; i++) store(c, `message number ${i} of a long enough kind x${i}`, i);
    expect(c.size).toBeLessThanOrEqual(100);
    expect(lookup(c, 'message number 111 of a long enough kind x999')).toBe(999);
    expect(lookup(c, 'message number 5 of a long enough kind x5')).toBeUndefined();
  });
});
