// The behaviour every Store backend must have; run by sqlite.test.ts and postgres.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/core/hash.js';
import type { CreateDeploymentMeta, Store } from '../../src/core/store.js';
import type { NewTimelineEvent, TimelineEvent } from '../../src/core/timeline.js';
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

export function meta(n: number, over: Partial<CreateDeploymentMeta> = {}): CreateDeploymentMeta {
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
      expect(await store.verifyAudit()).toMatchObject({ ok: true, checked: 3 });
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
      expect(await store.verifyAudit()).toMatchObject({ ok: true, checked: 1 });
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
      expect(await store.verifyAudit()).toMatchObject({ ok: true, checked: 5 });
      await db.exec(`UPDATE events SET payload = '{"i":3,"forged":true}' WHERE seq = 3`);
      const v = await store.verifyAudit({ full: true });
      expect(v).toMatchObject({ ok: false, brokenAt: 3, checked: 2 });
      expect(v.reason).toMatch(/hash/);
    });

    it('detects a re-hashed forgery (next link breaks) and deleted events', async () => {
      await store.createDeployment(spec(1), meta(1));
      for (let i = 1; i <= 5; i++) await store.append(ev('dep-1', i));
      // forger recomputes row 2's own hash: row 3's prevHash no longer matches
      await db.exec(`UPDATE events SET actor = 'user:mallory', hash = '${'a'.repeat(64)}' WHERE seq = 2`);
      expect(await store.verifyAudit({ full: true })).toMatchObject({ ok: false, brokenAt: 2 });
      await db.exec(`DELETE FROM events WHERE seq >= 2`);
      // the tail is gone but the recorded chain head still says 5
      expect(await store.verifyAudit({ full: true })).toMatchObject({ ok: false, brokenAt: 2 });
    });

    it('detects a gap in seq', async () => {
      await store.createDeployment(spec(1), meta(1));
      for (let i = 1; i <= 4; i++) await store.append(ev('dep-1', i));
      await db.exec(`DELETE FROM events WHERE seq = 3`);
      expect(await store.verifyAudit({ full: true })).toMatchObject({ ok: false, brokenAt: 3 });
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
      expect(await store.verifyAudit()).toMatchObject({ ok: true, checked: 2 });
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
        expect(await store.verifyAudit()).toMatchObject({ ok: true, checked: N - 10 });
      } finally {
        await other.close();
      }
    });

    it('keeps what the list shows on the row as events arrive: status, decision, headline, pending approval', async () => {
      await store.createDeployment(spec(1), meta(1));
      const item = async () => (await store.listDeploymentItems({ limit: 10 })).find((d) => d.id === 'dep-1')!;
      expect(await item()).toMatchObject({ id: 'dep-1', status: 'watching' });
      expect(await item()).not.toHaveProperty('decision');
      const add = (type: NewTimelineEvent['type'], payload: Record<string, unknown>, at = 10) => store.append(ev('dep-1', at, { type, payload }));
      await add('summary.written', { summary: { headline: 'Error rate 7% vs 0.2% before' } });
      const decision = (id: string, action: string, confidence: number, mode: string) =>
        add('decision.made', { decisionId: id, decision: { action, confidence }, guard: { mode } }, 20);
      await decision('dep-1-d1', 'rollback', 0.7, 'await_approval');
      expect(await item()).toMatchObject({ status: 'awaiting_approval', headline: 'Error rate 7% vs 0.2% before', pendingDecisionId: 'dep-1-d1', decision: { action: 'rollback', confidence: 0.7, at: T0 + 20 } });
      // a newer decision supersedes the pending one
      await decision('dep-1-d2', 'rollback', 0.8, 'await_approval');
      expect(await item()).toMatchObject({ pendingDecisionId: 'dep-1-d2', decision: { confidence: 0.8 } });
      expect((await store.listDeploymentItems({ status: 'awaiting_approval' })).map((d) => d.id)).toEqual(['dep-1']);
      await add('action.approved', { decisionId: 'dep-1-d2' });
      await add('action.requested', { actionId: 'dep-1-d2-a', decisionId: 'dep-1-d2', action: 'rollback' });
      expect(await item()).toMatchObject({ status: 'acting', decision: { confidence: 0.8 } });
      expect(await item()).not.toHaveProperty('pendingDecisionId');
      await add('action.executed', { actionId: 'dep-1-d2-a', decisionId: 'dep-1-d2' });
      // later "continue" decisions on the recovered service do not hide the rollback
      await decision('dep-1-d3', 'continue', 0.9, 'execute');
      expect(await item()).toMatchObject({ status: 'verifying', decision: { action: 'rollback', confidence: 0.8 } });
      await add('watch.completed', { status: 'rolled_back' });
      expect(await item()).toMatchObject({ status: 'rolled_back', decision: { action: 'rollback' } });
      expect((await store.getDeployment('dep-1'))?.status).toBe('rolled_back');
      // after watch.completed the timeline's status stands: a late setStatus from a tick is ignored
      await store.setStatus('dep-1', 'watching');
      expect((await store.getDeployment('dep-1'))?.status).toBe('rolled_back');
      expect(await store.unfinishedDeployments()).toEqual([]);
    });

    it('backfills the summaries of a database from before they existed', async () => {
      for (let n = 1; n <= 3; n++) await store.createDeployment(spec(n), meta(n));
      await store.append(ev('dep-1', 1, { type: 'summary.written', payload: { summary: { headline: 'all quiet' } } }));
      await store.append(ev('dep-2', 2, { type: 'decision.made', payload: { decisionId: 'dep-2-d1', decision: { action: 'escalate', confidence: 0.6 }, guard: { mode: 'await_approval' } } }));
      await store.append(ev('dep-3', 3, { type: 'watch.completed', payload: { status: 'healthy' } }));
      const before = await store.listDeploymentItems();
      await store.close();
      // the schema as migration 2 left it, data kept
      await db.exec(
        `DROP INDEX IF EXISTS events_search; ALTER TABLE deployments DROP COLUMN summary; DROP TABLE audit_checkpoint; ` +
          `UPDATE deployments SET status = 'watching'; DELETE FROM schema_migrations WHERE version >= 3;` +
          (name === 'sqlite' ? ' DROP TABLE events_fts;' : ''),
      );
      store = await db.open();
      expect(await store.listDeploymentItems()).toEqual(before);
      expect(before.find((d) => d.id === 'dep-2')).toMatchObject({ status: 'awaiting_approval', pendingDecisionId: 'dep-2-d1' });
      expect(before.find((d) => d.id === 'dep-3')).toMatchObject({ status: 'healthy' });
      expect((await store.audit({ q: 'all quiet' })).map((e) => e.seq)).toEqual([1]);
    });

    it('creates a deployment and its first event in one write; a repeat delivery adds no event', async () => {
      const first = { type: 'deployment.received' as const, at: T0, actor: 'token:ci', payload: { source: 'api' }, dedupeKey: 'dep-1:received' };
      const [a, b] = await Promise.all([
        store.createDeployment(spec(1), meta(1, { firstEvent: first })),
        store.createDeployment(spec(1), meta(1, { id: 'dep-again', firstEvent: { ...first, dedupeKey: 'dep-again:received' } })),
      ]);
      expect(a.created).toBe(true);
      expect(a.event).toMatchObject({ seq: 1, deploymentId: 'dep-1', type: 'deployment.received', actor: 'token:ci' });
      expect(b).toMatchObject({ created: false, deployment: { id: 'dep-1' } });
      expect(b.event).toBeUndefined();
      expect(await store.events('dep-1')).toEqual([a.event]);
      expect(await store.headSeq?.()).toBe(1);
    });

    it('commits writes that arrive together in one chain, and a bad one fails alone', async () => {
      for (let n = 1; n <= 3; n++) await store.createDeployment(spec(n), meta(n));
      const writes = Array.from({ length: 60 }, (_, i) =>
        i === 17 ? store.append(ev('dep-missing', i)) : store.append(ev(`dep-${(i % 3) + 1}`, i, { dedupeKey: i % 20 === 5 ? 'same' : undefined })),
      );
      const settled = await Promise.allSettled(writes);
      expect(settled.filter((r) => r.status === 'rejected').map((_, i) => i)).toHaveLength(1);
      expect((settled[17] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
      expect(String((settled[17] as PromiseRejectedResult).reason)).toMatch(/unknown deployment/);
      const ok = settled.filter((r): r is PromiseFulfilledResult<TimelineEvent> => r.status === 'fulfilled').map((r) => r.value);
      // 59 appends, three of them with one dedupe key: 57 events, numbered in call order
      expect(new Set(ok.map((e) => e.seq)).size).toBe(57);
      const firsts = ok.filter((e, i) => ok.findIndex((x) => x.seq === e.seq) === i).map((e) => e.seq);
      expect(firsts).toEqual(Array.from({ length: 57 }, (_, i) => i + 4 - 3));
      expect((settled[25] as PromiseFulfilledResult<TimelineEvent>).value).toEqual((settled[5] as PromiseFulfilledResult<TimelineEvent>).value);
      expect(await store.verifyAudit({ full: true })).toMatchObject({ ok: true, checked: 57 });
      expect((await store.events('dep-2')).map((e) => e.payload.i)).toEqual(ok.filter((e) => e.deploymentId === 'dep-2').map((e) => e.payload.i));
    });

    it('verifies from the last checkpoint, and still finds edits before it', async () => {
      await store.createDeployment(spec(1), meta(1));
      for (let i = 1; i <= 20; i++) await store.append(ev('dep-1', i));
      expect(await store.verifyAudit()).toMatchObject({ ok: true, checked: 20, fromSeq: 0, hashed: 20 });
      for (let i = 21; i <= 25; i++) await store.append(ev('dep-1', i));
      // the 5 new events, plus the re-check of a slice of the older ones
      const v = await store.verifyAudit();
      expect(v).toMatchObject({ ok: true, checked: 25, fromSeq: 20 });
      // an edit after the checkpoint
      await db.exec(`UPDATE events SET payload = '{"forged":1}' WHERE seq = 24`);
      expect(await store.verifyAudit()).toMatchObject({ ok: false, brokenAt: 24 });
      await db.exec(`UPDATE events SET payload = '{"i":24,"nested":{"a":[1,"x"],"b":2}}' WHERE seq = 24`);
      expect(await store.verifyAudit()).toMatchObject({ ok: true, checked: 25, fromSeq: 25 });
      // the checkpointed event itself, and one long before it
      await db.exec(`UPDATE events SET actor = 'user:mallory' WHERE seq = 25`);
      expect(await store.verifyAudit()).toMatchObject({ ok: false, brokenAt: 25 });
      await db.exec(`UPDATE events SET actor = 'system' WHERE seq = 25`);
      await db.exec(`UPDATE events SET actor = 'user:mallory' WHERE seq = 3`);
      expect(await store.verifyAudit()).toMatchObject({ ok: false, brokenAt: 3 });
      expect(await store.verifyAudit({ full: true })).toMatchObject({ ok: false, brokenAt: 3, fromSeq: 0 });
      // the chain head moved back behind the store's back (newest events deleted with it)
      await db.exec(`UPDATE events SET actor = 'system' WHERE seq = 3`);
      await db.exec(`DELETE FROM events WHERE seq = 25; UPDATE chain_head SET seq = 24, hash = (SELECT hash FROM events WHERE seq = 24)`);
      expect(await store.verifyAudit()).toMatchObject({ ok: false, brokenAt: 25, reason: expect.stringMatching(/removed/) });
      expect(await store.verifyAudit({ full: true })).toMatchObject({ ok: false, brokenAt: 25 });
    });

    it('searches the audit trail for text, case-insensitively, with the other filters and paging', async () => {
      for (let n = 1; n <= 2; n++) await store.createDeployment(spec(n), meta(n));
      await store.append(ev('dep-1', 1, { type: 'summary.written', payload: { summary: { headline: 'TypeError: Cannot read properties of undefined' } } }));
      await store.append(ev('dep-2', 2, { type: 'decision.made', actor: 'policy:bandit-7', payload: { reasons: ['new error typeerror since deploy'] } }));
      await store.append(ev('dep-2', 3, { payload: { note: 'nothing to see', pct: '50%_off', quote: 'say "hi"' } }));
      await store.append(ev(null, 4, { type: 'security.rejected', actor: 'system', payload: { path: '/api/deployments', ip: '127.0.0.1' } }));
      const seqs = async (f: Parameters<Store['audit']>[0]) => (await store.audit(f)).map((e) => e.seq);
      expect(await seqs({ q: 'typeerror' })).toEqual([1, 2]);
      expect(await seqs({ q: 'TYPEERROR', afterSeq: 1 })).toEqual([2]);
      expect(await seqs({ q: 'typeerror', limit: 1 })).toEqual([1]);
      expect(await seqs({ q: 'typeerror', type: 'decision.made' })).toEqual([2]);
      expect(await seqs({ q: 'typeerror', deploymentId: 'dep-1' })).toEqual([1]);
      expect(await seqs({ q: 'bandit-7' })).toEqual([2]);
      expect(await seqs({ q: 'dep-2' })).toEqual([2, 3]);
      expect(await seqs({ q: 'security.rej' })).toEqual([4]);
      // LIKE and FTS syntax characters are plain text
      expect(await seqs({ q: '50%_' })).toEqual([3]);
      expect(await seqs({ q: '%' })).toEqual([3]);
      expect(await seqs({ q: '"hi' })).toEqual([3]);
      expect(await seqs({ q: 'no such text anywhere' })).toEqual([]);
      // one or two characters: answered by a scan, same semantics
      expect(await seqs({ q: 'ip' })).toEqual([4]);
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
