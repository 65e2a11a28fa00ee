// The group commit's promise: a caller is answered only after its batch is committed and made
// durable; a batch whose sync fails is answered with the error and never written again.
import { describe, expect, it } from 'vitest';
import { WriteBatcher } from '../../src/store/write-batch.js';

describe('WriteBatcher', () => {
  it('writes what arrives together in one batch and answers only after it is durable', async () => {
    const batches: number[][] = [];
    const order: string[] = [];
    let release!: () => void;
    const b = new WriteBatcher<number, number>(
      async (ops) => {
        batches.push(ops);
        order.push(`commit ${ops.join(',')}`);
        return ops.map((x) => x * 10);
      },
      {
        durable: () =>
          new Promise<void>((r) => {
            order.push('sync');
            release = () => {
              order.push('synced');
              r();
            };
          }),
      },
    );
    const first = Promise.all([b.submit(1), b.submit(2), b.submit(3)]).then((r) => {
      order.push('answered');
      return r;
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // while the first batch syncs, the next writes wait and form one batch
    const second = Promise.all([b.submit(4), b.submit(5)]);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['commit 1,2,3', 'sync']);
    release();
    expect(await first).toEqual([10, 20, 30]);
    await new Promise((r) => setImmediate(r));
    release();
    expect(await second).toEqual([40, 50]);
    expect(batches).toEqual([[1, 2, 3], [4, 5]]);
    expect(order.slice(0, 4)).toEqual(['commit 1,2,3', 'sync', 'synced', 'answered']);
  });

  it('a failed sync rejects every caller of the batch and writes nothing again', async () => {
    let runs = 0;
    const b = new WriteBatcher<number, number>(
      async (ops) => {
        runs += 1;
        return ops;
      },
      { durable: async () => Promise.reject(new Error('EIO')) },
    );
    const r = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect(runs).toBe(1);
  });

  it('a failed batch is retried one write at a time, so only the bad write fails', async () => {
    const b = new WriteBatcher<number, number>(async (ops) => {
      if (ops.includes(2)) throw new Error('bad write');
      return ops;
    });
    const r = await Promise.allSettled([b.submit(1), b.submit(2), b.submit(3)]);
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
