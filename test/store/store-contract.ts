// The behaviour every Store backend must have; run by sqlite.test.ts and postgres.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/core/hash.js';
import type { Store } from '../../src/core/store.js';
import type { NewTimelineEvent } from '../../src/core/timeline.js';
import type { DeploymentSpec } from '../../src/core/types.js';

/** One empty database; `open` may be called again after the store is closed (reopen). */
export interface TestDatabase {
  open(): Promise<Store>;
  /** raw SQL straight to the database, behind the store's back (tampering) */
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);

export function spec(n: number, over: Partial<DeploymentSpec> = {}): DeploymentSpec {
  return { service: `svc-${n % 3}`, environment: n % 2 ? 'prod' : 'staging', version: `v1.${n}.0`, at: T0 + n * 1000, ...over };
}

export function meta(n: number, over: Partial<{ id: string; source: string; receivedAt: number; idempotencyKey: string }> = {}) {
  return { id: `dep-${n}`, source: 'api', receivedAt: T0 + n * 1000 + 5, idempotencyKey: `key-${n}`, ...over };
}

export function ev(deploymentId: string | null, i: number, over: Partial<NewTimelineEvent> = {}): NewTimelineEvent {
  return { deploymentId, type: 'signals.collected', at: T0 + i, actor: 'system', payload: { i, nested: { b: 2, a: [1, 'x'] } }, ...over };
}

export function storeContract(name: string, makeDb: () => Promise<TestDatabase>): void {
  describe(`Store contract: ${name}`, () => {
    let db: TestDatabase;
    let store: Store;
    beforeEach(async () => {
      db = await makeDb();
      store = await db.open();
    });
    afterEach(async () => {
      await store.close();
      await db.drop();
    });

    it('creates a deployment once per idempotency key and round-trips its fields', async () => {
      const first = await store.createDeployment(
        spec(1, { previousVersion: 'v1.0.0', commit: 'abc123', replicas: 3 }),
        meta(1),
      );
      expect(first.created).toBe(true);
      expect(first.deployment).toEqual({
        ...spec(1, { previousVersion: 'v1.0.0', commit: 'abc123', replicas: 3 }),
        ...{ id: 'dep-1', source: 'api', receivedAt: meta(1).receivedAt },
        status: 'watching',
      });
      // repeated delivery with another id and another version: the original wins
      const again = await store.createDeployment(spec(1, { version: 'v9' }), meta(1, { id: 'dep-other' }));
      expect(again.created).toBe(false);
      expect(again.deployment).toEqual(first.deployment);
      expect(await store.getDeployment('dep-other')).toBeUndefined();
      const second = await store.createDeployment(spec(2), meta(2));
      expect(second.created).toBe(true);
      expect(second.deployment).not.toHaveProperty('commit');
      expect(second.deployment).not.toHaveProperty('replicas');
      expect(await store.getDeployment('dep-1')).toEqual(first.deployment);
      expect(await store.getDeployment('nope')).toBeUndefined();
    });

    it('numbers events gap-free and chains sha256(prevHash + canonicalJson(content))', async () => {
      await store.createDeployment(spec(1), meta(1));
      const a = await store.append(ev('dep-1', 1, { type: 'deployment.received' }));
      const b = await store.append(ev('dep-1', 2, { payload: { z: 1, a: { y: 2, x: 1 } } }));
      const c = await store.append(ev(null, 3, { type: 'policy.updated', actor: 'policy:v2' }));
      expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
      expect(a.prevHash).toBe('0'.repeat(64));
      expect(b.prevHash).toBe(a.hash);
      expect(c.prevHash).toBe(b.hash);
      for (const e of [a, b, c]) {
        const content = { seq: e.seq, deploymentId: e.deploymentId, type: e.type, at: e.at, actor: e.actor, payload: e.payload };
        expect(e.hash).toBe(sha256Hex(e.prevHash + canonicalJson(content)));
      }
      expect(await store.events('dep-1')).toEqual([a, b]);
      expect(await store.audit()).toEqual([a, b, c]);
      expect(await store.audit({ afterSeq: 1, limit: 1 })).toEqual([b]);
      expect(await store.audit({ type: 'policy.updated' })).toEqual([c]);
      expect(await store.audit({ deploymentId: 'dep-1', afterSeq: 1 })).toEqual([b]);
      expect(await store.audit({ actor: 'policy:v2' })).toEqual([c]);
      expect(await store.headSeq?.()).toBe(3);
      expect(await store.verifyAudit()).toEqual({ ok: true, checked: 3 });
    });

    it('stores payloads as JSON would (undefined dropped) so hashes stay recomputable', async () => {
      await store.createDeployment(spec(1), meta(1));
      const e = await store.append(ev('dep-1', 1, { payload: { keep: 1, drop: undefined, when: new Date(T0), s: 'ünï\u0001' } }));
      expect(e.payload).toEqual({ keep: 1, when: new Date(T0).toISOString(), s: 'ünï\u0001' });
      expect((await store.events('dep-1'))[0]).toEqual(e);
      expect((await store.verifyAudit()).ok).toBe(true);
    });

    it('stores times as whole milliseconds on every backend (simulated clocks can be fractional)', async () => {
      const d = await store.createDeployment(spec(1, { at: T0 + 0.6 }), meta(1, { receivedAt: T0 + 10.4 }));
      expect([d.deployment.at, d.deployment.receivedAt]).toEqual([T0 + 1, T0 + 10]);
      const e = await store.append(ev('dep-1', 0.5));
      expect(e.at).toBe(T0 + 1);
      expect((await store.events('dep-1'))[0]).toEqual(e);
      expect((await store.verifyAudit()).ok).toBe(true);
    });

    it('rejects bad events and unknown deployments without touching the chain', async () => {
      await expect(store.append(ev('dep-missing', 1))).rejects.toThrow(/unknown deployment|foreign key/i);
      await expect(store.append(ev(null, 1, { type: 'nope' as never }))).rejects.toThrow(/unknown timeline event type/);
      await expect(store.setStatus('dep-missing', 'healthy')).rejects.toThrow(/unknown deployment/);
      const e = await store.append(ev(null, 2, { type: 'security.rejected' }));
      expect(e.seq).toBe(1);
      expect(await store.verifyAudit()).toEqual({ ok: true, checked: 1 });
    });

    it('is idempotent on dedupeKey: the second append returns the first event unchanged', async () => {
      await store.createDeployment(spec(1), meta(1));
      const first = await store.append(ev('dep-1', 1, { dedupeKey: 'tick-1' }));
      await store.append(ev('dep-1', 2));
      const again = await store.append(ev('dep-1', 99, { dedupeKey: 'tick-1', payload: { other: true } }));
      expect(again).toEqual(first);
      expect(first.dedupeKey).toBe('tick-1');
      expect((await store.audit()).map((e) => e.seq)).toEqual([1, 2]);
      // the dedupe key is covered by the hash
      const content = { seq: 1, deploymentId: 'dep-1', type: first.type, at: first.at, actor: 'system', payload: first.payload, dedupeKey: 'tick-1' };
      expect(first.hash).toBe(sha256Hex('0'.repeat(64) + canonicalJson(content)));
    });

    it('detects a row modified behind its back and reports the first broken seq', async () => {
      await store.createDeployment(spec(1), meta(1));
      for (let i = 1; i <= 5; i++) await store.append(ev('dep-1', i));
      expect(await store.verifyAudit()).toEqual({ ok: true, checked: 5 });
      await db.exec(`UPDATE events SET payload = '{"i":3,"forged":true}' WHERE seq = 3`);
      const v = await store.verifyAudit();
      expect(v).toMatchObject({ ok: false, brokenAt: 3, checked: 2 });
      expect(v.reason).toMatch(/hash/);
    });

    it('detects a re-hashed forgery (next link breaks) and deleted events', async () => {
      await store.createDeployment(spec(1), meta(1));
      for (let i = 1; i <= 5; i++) await store.append(ev('dep-1', i));
      // forger recomputes row 2's own hash: row 3's prevHash no longer matches
      await db.exec(`UPDATE events SET actor = 'user:mallory', hash = '${'a'.repeat(64)}' WHERE seq = 2`);
      expect(await store.verifyAudit()).toMatchObject({ ok: false, brokenAt: 2 });
      await db.exec(`DELETE FROM events WHERE seq >= 2`);
      // the tail is gone but the recorded chain head still says 5
      expect(await store.verifyAudit()).toMatchObject({ ok: false, brokenAt: 2 });
    });

    it('detects a gap in seq', async () => {
      await store.createDeployment(spec(1), meta(1));
      for (let i = 1; i <= 4; i++) await store.append(ev('dep-1', i));
      await db.exec(`DELETE FROM events WHERE seq = 3`);
      expect(await store.verifyAudit()).toMatchObject({ ok: false, brokenAt: 3 });
    });

    it('lists unfinished deployments: no watch.completed and not in a terminal status', async () => {
      for (let n = 1; n <= 5; n++) await store.createDeployment(spec(n), meta(n));
      await store.setStatus('dep-2', 'healthy');
      await store.append(ev('dep-3', 1, { type: 'watch.completed' }));
      await store.setStatus('dep-4', 'awaiting_approval');
      await store.setStatus('dep-5', 'verifying');
      expect((await store.unfinishedDeployments()).map((d) => d.id)).toEqual(['dep-1', 'dep-4', 'dep-5']);
      expect((await store.getDeployment('dep-4'))?.status).toBe('awaiting_approval');
    });

    it('lists deployments newest first with filters and paging', async () => {
      for (let n = 1; n <= 30; n++) await store.createDeployment(spec(n), meta(n));
      await store.setStatus('dep-7', 'rolled_back');
      const all = await store.listDeployments({ limit: 1000 });
      expect(all.map((d) => d.id)).toEqual(Array.from({ length: 30 }, (_, i) => `dep-${30 - i}`));
      const page1 = await store.listDeployments({ limit: 10 });
      const page2 = await store.listDeployments({ limit: 10, before: page1[9].receivedAt });
      expect(page2.map((d) => d.id)).toEqual(all.slice(10, 20).map((d) => d.id));
      const svc = await store.listDeployments({ service: 'svc-1', environment: 'prod', limit: 100 });
      expect(svc.length).toBeGreaterThan(0);
      expect(svc.every((d) => d.service === 'svc-1' && d.environment === 'prod')).toBe(true);
      expect(svc.map((d) => d.id)).toEqual(all.filter((d) => d.service === 'svc-1' && d.environment === 'prod').map((d) => d.id));
      expect((await store.listDeployments({ status: 'rolled_back' })).map((d) => d.id)).toEqual(['dep-7']);
      expect(await store.listDeployments({ service: 'none' })).toEqual([]);
    });

    it('keeps key-value state as JSON', async () => {
      expect(await store.headSeq?.()).toBe(0);
      expect(await store.getState('policy')).toBeUndefined();
      await store.setState('policy', { version: 'v1', weights: [0.5, 1] });
      await store.setState('policy', { version: 'v2', weights: [1] });
      await store.setState('cursor', 42);
      expect(await store.getState('policy')).toEqual({ version: 'v2', weights: [1] });
      expect(await store.getState<number>('cursor')).toBe(42);
    });

    it('survives close and reopen: data persists and the chain continues', async () => {
      await store.createDeployment(spec(1), meta(1));
      const a = await store.append(ev('dep-1', 1));
      await store.setState('k', { v: 1 });
      await store.close();
      store = await db.open();
      expect(await store.getDeployment('dep-1')).toMatchObject({ id: 'dep-1', status: 'watching' });
      expect(await store.events('dep-1')).toEqual([a]);
      expect(await store.getState('k')).toEqual({ v: 1 });
      const b = await store.append(ev('dep-1', 2));
      expect(b.seq).toBe(2);
      expect(b.prevHash).toBe(a.hash);
      expect((await store.createDeployment(spec(1), meta(1))).created).toBe(false);
      expect(await store.verifyAudit()).toEqual({ ok: true, checked: 2 });
    });

    it('keeps one chain under many concurrent appends from two connections', async () => {
      const other = await db.open();
      try {
        for (let n = 1; n <= 4; n++) await store.createDeployment(spec(n), meta(n));
        const N = 120;
        const results = await Promise.all(
          Array.from({ length: N }, (_, i) =>
            (i % 2 ? other : store).append(ev(`dep-${(i % 4) + 1}`, i, { dedupeKey: i % 10 === 0 ? `d-${i % 20}` : undefined })),
          ),
        );
        // keys d-0 and d-10 repeat: 6 appends each collapse into one event each
        const distinct = new Set(results.map((e) => e.seq));
        expect(distinct.size).toBe(N - 10);
        const trail = await store.audit({ limit: 10_000 });
        expect(trail.map((e) => e.seq)).toEqual(Array.from({ length: N - 10 }, (_, i) => i + 1));
        expect(await store.verifyAudit()).toEqual({ ok: true, checked: N - 10 });
      } finally {
        await other.close();
      }
    });

    it('applies migrations idempotently on every open', async () => {
      await store.close();
      store = await db.open();
      await store.close();
      store = await db.open();
      await store.createDeployment(spec(1), meta(1));
      expect((await store.listDeployments()).length).toBe(1);
    });
  });
}
