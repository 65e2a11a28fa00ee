// Numbered, versioned schema migrations shared by the SQLite and PostgreSQL stores. Each
// backend applies, at open and in one transaction per migration, the versions not yet in
// `schema_migrations`, so opening is idempotent and an old file upgrades itself.
// The SQL is written once; `${INT}` is the only dialect difference (SQLite's INTEGER is
// 64-bit; PostgreSQL needs BIGINT for epoch milliseconds). Never edit an applied migration:
// add a new one.

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** SQL for one dialect only, run after `sql` */
  sqlite?: string;
  postgres?: string;
  /** a data step each backend runs in code after the SQL, in the same transaction */
  backfill?: 'deployment-summaries';
}

/** The text an audit search (`q`) looks in: type, actor, deployment and the first 4,000
 *  characters of the payload. One expression in both dialects: PostgreSQL's trigram index is
 *  built on it and only serves queries that repeat it exactly. */
export const SEARCH_TEXT_SQL = "type || ' ' || actor || ' ' || coalesce(deployment_id, '') || ' ' || substr(payload, 1, 4000)";

/** SQLite: index for search the next `?` events the FTS5 table does not have yet (rowid = seq, which
 *  has no gaps), so an index that fell behind (or starts empty) fills from where it stands. */
export const INDEX_PENDING_SQL = `INSERT INTO events_fts (rowid, body) SELECT seq, ${SEARCH_TEXT_SQL} FROM events WHERE seq > (SELECT coalesce(max(rowid), 0) FROM events_fts) ORDER BY seq LIMIT ?`;

export const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** The backfill of deployment summaries reads payloads only where the fold looks at them
 *  (the big, numerous signal and analysis events are counted, not parsed). */
export const BACKFILL_PAYLOAD_SQL = "CASE WHEN type IN ('signals.collected', 'analysis.completed') THEN NULL ELSE payload END";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'deployments, timeline events, chain head, state',
    sql: `
CREATE TABLE deployments (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  received_at \${INT} NOT NULL,
  status TEXT NOT NULL,
  service TEXT NOT NULL,
  environment TEXT NOT NULL,
  version TEXT NOT NULL,
  previous_version TEXT,
  commit_sha TEXT,
  deploy_at \${INT} NOT NULL,
  replicas \${INT},
  -- spec fields this schema has no column for yet (JSON object), so nothing is dropped
  extra TEXT,
  -- set in the same transaction as the deployment's watch.completed event
  completed_at \${INT}
);
-- listDeployments pages newest first, optionally per service / environment / status
CREATE INDEX deployments_received ON deployments (received_at, id);
CREATE INDEX deployments_service ON deployments (service, received_at);
CREATE INDEX deployments_environment ON deployments (environment, received_at);
CREATE INDEX deployments_status ON deployments (status, received_at);

CREATE TABLE events (
  seq \${INT} PRIMARY KEY,
  deployment_id TEXT REFERENCES deployments (id),
  type TEXT NOT NULL,
  at \${INT} NOT NULL,
  actor TEXT NOT NULL,
  payload TEXT NOT NULL,
  dedupe_key TEXT UNIQUE,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX events_deployment ON events (deployment_id, seq);
CREATE INDEX events_type ON events (type, seq);

-- the one row every append locks and advances: serializes writers and records the tip,
-- so deleting the newest events is detectable by verifyAudit
CREATE TABLE chain_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq \${INT} NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');

CREATE TABLE kv_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at \${INT} NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'deployment list indexes end in id (no sort step for the tie-break), service+environment',
    sql: `
DROP INDEX deployments_service;
DROP INDEX deployments_environment;
DROP INDEX deployments_status;
CREATE INDEX deployments_service ON deployments (service, received_at, id);
CREATE INDEX deployments_environment ON deployments (environment, received_at, id);
CREATE INDEX deployments_status ON deployments (status, received_at, id);
-- the loop asks for the previous deployment of the same service in the same environment
CREATE INDEX deployments_service_env ON deployments (service, environment, received_at, id);
`,
  },
  {
    version: 3,
    name: 'deployment summary on the row (backfilled), audit checkpoint, audit text search',
    sql: `
-- core/deployment-summary.ts's fold of the deployment's events, kept on append: lists read
-- status, decision, headline and pending approval from here instead of the timeline
ALTER TABLE deployments ADD COLUMN summary TEXT;

-- the newest seq (and its hash) a verification found intact: the next one starts there;
-- swept_to: how far the re-check of older events (a slice per verification) has come
CREATE TABLE audit_checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq \${INT} NOT NULL,
  hash TEXT NOT NULL,
  swept_to \${INT} NOT NULL,
  verified_at \${INT} NOT NULL
);
`,
    // trigram full-text index (substring search, as q always meant); contentless: the text is in events
    sqlite: `
CREATE VIRTUAL TABLE events_fts USING fts5(body, tokenize = 'trigram', content = '');
INSERT INTO events_fts (rowid, body) SELECT seq, ${SEARCH_TEXT_SQL} FROM events;
`,
    // PostgreSQL's trigram index needs the pg_trgm extension, which not every role may create:
    // store/postgres.ts adds it when it can (search works without it, by scanning)
    backfill: 'deployment-summaries',
  },
];

export function migrationSql(m: Migration, dialect: Dialect): string {
  return (m.sql + (m[dialect] ?? '')).replaceAll('${INT}', dialect === 'sqlite' ? 'INTEGER' : 'BIGINT');
}
