import { describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { storeContract, ev, meta, spec } from './store-contract.js';
import { PG_URL, dropSchema, pgAvailable, pgExec, pgQuery, uniqueSchema } from './pg-helpers.js';

const available = await pgAvailable();

if (!available) {
  it.skip(`PostgreSQL store tests need a server at ${PG_URL} (set TEST_PG_URL)`, () => undefined);
} else {
  storeContract('postgres', async () => {
    const schema = uniqueSchema();
    return {
      open: () => createPostgresStore(PG_URL, { schema, max: 4 }),
      exec: (sql) => pgExec(schema, sql),
      drop: () => dropSchema(schema),
    };
  });

  describe('postgres store specifics', () => {
    it('keeps one gap-free chain when several worker pools append at once', async () => {
      const schema = uniqueSchema();
      // open concurrently too: the advisory lock makes the migration run exactly once
      const stores = await Promise.all(
        [0, 1, 2, 3].map(() => createPostgresStore(`${PG_URL}?schema=${schema}`, { max: 3 })),
      );
      try {
        await stores[0].createDeployment(spec(1), meta(1));
        const perWorker = 40;
        await Promise.all(
          stores.map((s, w) =>
            Promise.all(
              Array.from({ length: perWorker }, (_, i) => s.append(ev('dep-1', i, { actor: `worker:${w}`, payload: { w, i } }))),
            ),
          ),
        );
        const trail = await stores[1].audit({ limit: 10_000 });
        expect(trail.map((e) => e.seq)).toEqual(Array.from({ length: 4 * perWorker }, (_, i) => i + 1));
        expect(new Set(trail.map((e) => e.actor)).size).toBe(4);
        expect(await stores[2].verifyAudit()).toMatchObject({ ok: true, checked: 4 * perWorker });
        const versions = await pgQuery(schema, 'SELECT version FROM schema_migrations ORDER BY version');
        expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await dropSchema(schema);
      }
    });

    it('keeps tables in the schema even when the url carries its own server options', async () => {
      const schema = uniqueSchema();
      const opts = encodeURIComponent('-c statement_timeout=5000');
      const s = await createPostgresStore(`${PG_URL}?options=${opts}&schema=${schema}`, { max: 1 });
      try {
        await s.createDeployment(spec(1), meta(1));
        expect(await pgQuery(schema, 'SELECT id FROM deployments')).toEqual([{ id: 'dep-1' }]);
        expect(await pgQuery(schema, "SELECT current_setting('statement_timeout') AS t")).toEqual([{ t: '0' }]);
      } finally {
        await s.close();
        await dropSchema(schema);
      }
    });

    it('rejects an invalid schema name', async () => {
      await expect(createPostgresStore(PG_URL, { schema: 'x; DROP TABLE y' })).rejects.toThrow(/invalid PostgreSQL schema/);
    });
  });
}
