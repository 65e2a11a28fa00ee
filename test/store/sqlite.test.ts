import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
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

  it('works in memory', async () => {
    const s = createSqliteStore(':memory:');
    expect((await s.createDeployment(spec(1), meta(1))).created).toBe(true);
    await s.close();
  });
});
