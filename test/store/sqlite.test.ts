import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteStore, migrateSqlite } from '../../src/store/sqlite.js';
import { auditQuery, listDeploymentsQuery, sqlitePh } from '../../src/store/rows.js';
import { MIGRATIONS, MIGRATIONS_TABLE_DDL, migrationSql } from '../../src/store/migrations.js';
import { storeContract, spec, meta } from './store-contract.js';

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
  const file = join(dir, 'nested', 'commander.db');
  return {
    open: async () => createSqliteStore(file),
    exec: async (sql) => {
      const raw = new Database(file);
      try {
        raw.exec(sql);
      } finally {
        raw.close();
      }
    },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('sqlite store specifics', () => {
  it('uses WAL, records each migration once and refuses a newer schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
    try {
      const file = join(dir, 'a.db');
      await createSqliteStore(file).close();
      await createSqliteStore(file).close();
      const raw = new Database(file);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const rows = raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
      raw.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
      raw.close();
      expect(() => createSqliteStore(file)).toThrow(/newer than this build/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('upgrades a version-1 database in place, keeping its data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
    try {
      const file = join(dir, 'old.db');
      const raw = new Database(file);
      raw.exec(MIGRATIONS_TABLE_DDL);
      raw.exec(migrationSql(MIGRATIONS[0], 'sqlite'));
      raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'v1', 0)").run();
      raw.close();
      const s = createSqliteStore(file);
      await s.createDeployment(spec(1), meta(1));
      await s.close();
      const again = new Database(file);
      expect(again.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(
        MIGRATIONS.map((m) => ({ version: m.version })),
      );
      expect(again.prepare("SELECT name FROM sqlite_master WHERE name = 'deployments_service_env'").get()).toBeTruthy();
      expect(again.prepare('SELECT id FROM deployments').all()).toEqual([{ id: 'dep-1' }]);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checkpoints the WAL from its own thread (none inside COMMIT), and what was acknowledged reads back after reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
    try {
      const file = join(dir, 'a.db');
      const store = createSqliteStore(file);
      const sizeAt = () => statSync(file).size;
      const before = sizeAt();
      const made = await Promise.all(Array.from({ length: 300 }, (_, i) => store.createDeployment(spec(i), meta(i, { firstEvent: { type: 'deployment.received', at: 1, actor: 'system', payload: { i } } }))));
      // auto-checkpoint is off on the store's connection: the pages reach the database file only through the thread
      const end = Date.now() + 5000;
      while (sizeAt() === before && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(sizeAt()).toBeGreaterThan(before);
      await store.close();
      const again = createSqliteStore(file);
      for (const r of made) expect((await again.events(r.deployment.id)).map((e) => e.type)).toEqual(['deployment.received']);
      expect((await again.verifyAudit({ full: true })).ok).toBe(true);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes in a process that has nothing else to do (exit 0, not an unsettled close)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
    try {
      // (vitest runs from the checkout's root)
      const fixture = join(process.cwd(), 'test', 'store', 'fixtures', 'sqlite-open-close.ts');
      const r = spawnSync(process.execPath, ['--import', 'tsx', fixture, join(dir, 'a.db')], { encoding: 'utf8', timeout: 30_000 });
      expect({ status: r.status, out: r.stdout }).toEqual({ status: 0, out: 'closed\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('keeps the search index in a file of its own, filled behind the writes; a search right after a write, and after a reopen, finds every event once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
    try {
      const file = join(dir, 'a.db');
      const store = createSqliteStore(file);
      const received = (i: number) => ({ firstEvent: { type: 'deployment.received' as const, at: 1, actor: 'system', payload: { note: `needle-${i} in the haystack` } } });
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.createDeployment(spec(i), meta(i, received(i)))));
      // no time for the thread: the search indexes what is missing first
      expect(await store.audit({ q: 'needle-7 ' })).toHaveLength(1);
      expect(await store.audit({ q: 'haystack', limit: 1000 })).toHaveLength(50);
      // the thread indexes without being asked
      await Promise.all(Array.from({ length: 30 }, (_, i) => store.createDeployment(spec(100 + i), meta(100 + i, received(100 + i)))));
      const indexed = () => {
        const db = new Database(`${file}-search`, { readonly: true });
        try {
          return (db.prepare('SELECT max(rowid) AS m FROM events_fts').get() as { m: number }).m;
        } finally {
          db.close();
        }
      };
      const end = Date.now() + 5000;
      while (indexed() < 80 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(indexed()).toBe(80);
      // written and closed before the index caught up, or the index file lost: it fills again, once
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.createDeployment(spec(200 + i), meta(200 + i, received(200 + i)))));
      await store.close();
      const again = createSqliteStore(file);
      expect(await again.audit({ q: 'needle-207 ' })).toHaveLength(1);
      expect((await again.audit({ q: 'haystack', limit: 1000 })).map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      await again.close();
      for (const f of ['', '-wal', '-shm']) rmSync(`${file}-search${f}`, { force: true });
      const fresh = createSqliteStore(file);
      expect((await fresh.audit({ q: 'haystack', limit: 1000 })).map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      await fresh.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in memory (no thread), indexes for search in each commit', async () => {
    const s = createSqliteStore(':memory:');
    const received = (i: number) => ({ firstEvent: { type: 'deployment.received' as const, at: 1, actor: 'system', payload: { note: `needle-${i} in the haystack` } } });
    for (let i = 0; i < 5; i++) await s.createDeployment(spec(i), meta(i, received(i)));
    expect((await s.audit({ q: 'haystack' })).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await s.audit({ q: 'needle-3' })).toHaveLength(1);
    await s.close();
  });

  it('works in memory', async () => {
    const s = createSqliteStore(':memory:');
    expect((await s.createDeployment(spec(1), meta(1))).created).toBe(true);
    await s.close();
  });
});

describe('sqlite query plans (listing stays fast at 5,000+ deployments)', () => {
  it('serves every list and audit filter from an index, without a sort step', async () => {
    const raw = new Database(':memory:');
    migrateSqlite(raw);
    const queries = [
      listDeploymentsQuery({}, sqlitePh),
      listDeploymentsQuery({ service: 'a' }, sqlitePh),
      listDeploymentsQuery({ status: 'healthy' }, sqlitePh),
      listDeploymentsQuery({ environment: 'prod', before: 5 }, sqlitePh),
      listDeploymentsQuery({ service: 'a', environment: 'prod', limit: 1 }, sqlitePh),
      auditQuery({ afterSeq: 10 }, sqlitePh),
      auditQuery({ type: 'decision.made' }, sqlitePh),
      auditQuery({ deploymentId: 'd' }, sqlitePh),
    ];
    for (const q of queries) {
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.args) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join(' | ');
      expect(plan, q.sql).toMatch(/USING (INDEX|INTEGER PRIMARY KEY)/);
      expect(plan, q.sql).not.toMatch(/TEMP B-TREE/);
    }
    raw.close();
  });
});
