// Row <-> domain mapping shared by the SQL backends (same column names in both dialects).
import type { DeploymentListItem } from '../core/api.js';
import { ACTIVE_STATUSES, emptyFold, foldSummary, parseFold } from '../core/deployment-summary.js';
import type { AuditFilter, CreateDeploymentMeta, DeploymentFilter } from '../core/store.js';
import { SEARCH_TEXT_SQL, type Dialect } from './migrations.js';
import type { Deployment, DeploymentSpec, DeploymentStatus } from '../core/types.js';
import type { NewTimelineEvent, TimelineEvent, TimelineEventType } from '../core/timeline.js';

export { ACTIVE_STATUSES };

/** Default and maximum page sizes (a caller can never pull an unbounded table by accident). */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 10_000;
export const DEFAULT_AUDIT_LIMIT = 1_000;

export function clampLimit(limit: number | undefined, dflt: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return dflt;
  return Math.max(1, Math.min(MAX_LIST_LIMIT, Math.floor(limit)));
}

export interface DeploymentRow {
  id: string;
  idempotency_key: string;
  source: string;
  received_at: number | string;
  status: string;
  service: string;
  environment: string;
  version: string;
  previous_version: string | null;
  commit_sha: string | null;
  deploy_at: number | string;
  replicas: number | string | null;
  extra: string | null;
  /** core/deployment-summary.ts's fold, JSON (null only before the backfill) */
  summary?: string | null;
}

const SPEC_COLUMNS = new Set(['service', 'environment', 'version', 'previousVersion', 'commit', 'at', 'replicas']);

/** Column values for an insert, in DEPLOYMENT_INSERT_COLUMNS order. */
export function deploymentValues(
  spec: DeploymentSpec,
  meta: { id: string; source: string; receivedAt: number; idempotencyKey: string },
): unknown[] {
  const extra = Object.fromEntries(Object.entries(spec).filter(([k, v]) => !SPEC_COLUMNS.has(k) && v !== undefined));
  return [
    meta.id,
    meta.idempotencyKey,
    meta.source,
    Math.round(meta.receivedAt), // whole ms, as in chain.ts
    'watching',
    spec.service,
    spec.environment,
    spec.version,
    spec.previousVersion ?? null,
    spec.commit ?? null,
    Math.round(spec.at),
    spec.replicas ?? null,
    Object.keys(extra).length ? JSON.stringify(extra) : null,
    JSON.stringify(emptyFold()),
  ];
}

export const DEPLOYMENT_INSERT_COLUMNS =
  'id, idempotency_key, source, received_at, status, service, environment, version, previous_version, commit_sha, deploy_at, replicas, extra, summary';

/** deploymentValues back as the row they insert (what a read back would return). */
export function rowOfValues(values: unknown[]): DeploymentRow {
  const cols = DEPLOYMENT_INSERT_COLUMNS.split(', ');
  return Object.fromEntries(cols.map((c, i) => [c, values[i]])) as unknown as DeploymentRow;
}

/** The events a new deployment is created with, in order (firstEvent, then thenEvents). */
export function firstEventsOf(meta: CreateDeploymentMeta): NewTimelineEvent[] {
  return [...(meta.firstEvent ? [meta.firstEvent] : []), ...(meta.thenEvents ?? [])].map((e) => ({ ...e, deploymentId: meta.id }));
}

export function rowToDeployment(r: DeploymentRow): Deployment {
  const d: Deployment = {
    ...(r.extra ? (JSON.parse(r.extra) as Record<string, unknown>) : {}),
    id: r.id,
    source: r.source,
    receivedAt: Number(r.received_at),
    status: r.status as DeploymentStatus,
    service: r.service,
    environment: r.environment,
    version: r.version,
    at: Number(r.deploy_at),
  };
  if (r.previous_version !== null) d.previousVersion = r.previous_version;
  if (r.commit_sha !== null) d.commit = r.commit_sha;
  if (r.replicas !== null) d.replicas = Number(r.replicas);
  return d;
}

/** A row as the deployment list shows it: the deployment plus its summary, no timeline read. */
export function rowToListItem(r: DeploymentRow): DeploymentListItem {
  const d = rowToDeployment(r);
  const { status, ...rest } = foldSummary(parseFold(r.summary));
  return { ...d, ...(status ? { status } : {}), ...rest };
}

export interface EventRow {
  seq: number | string;
  deployment_id: string | null;
  type: string;
  at: number | string;
  actor: string;
  payload: string;
  dedupe_key: string | null;
  prev_hash: string;
  hash: string;
}

export function rowToEvent(r: EventRow): TimelineEvent {
  const e: TimelineEvent = {
    seq: Number(r.seq),
    deploymentId: r.deployment_id,
    type: r.type as TimelineEventType,
    at: Number(r.at),
    actor: r.actor,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
  if (r.dedupe_key !== null) e.dedupeKey = r.dedupe_key;
  return e;
}

export function eventValues(e: TimelineEvent): unknown[] {
  return [e.seq, e.deploymentId, e.type, e.at, e.actor, JSON.stringify(e.payload), e.dedupeKey ?? null, e.prevHash, e.hash];
}

export const EVENT_INSERT_COLUMNS = 'seq, deployment_id, type, at, actor, payload, dedupe_key, prev_hash, hash';

/** Placeholder style: SQLite `?`, PostgreSQL `$n`. */
export type Placeholder = (index: number) => string;
export const sqlitePh: Placeholder = () => '?';
export const pgPh: Placeholder = (i) => `$${i}`;

/** SELECT for listDeployments, newest first; uses the (column, received_at) indexes. */
export function listDeploymentsQuery(filter: DeploymentFilter, ph: Placeholder): { sql: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    args.push(value);
    where.push(`${clause} ${ph(args.length)}`);
  };
  if (filter.service !== undefined) add('service =', filter.service);
  if (filter.environment !== undefined) add('environment =', filter.environment);
  if (filter.status !== undefined) add('status =', filter.status);
  if (filter.before !== undefined) add('received_at <', filter.before);
  args.push(clampLimit(filter.limit, DEFAULT_LIST_LIMIT));
  const sql =
    'SELECT * FROM deployments' +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY received_at DESC, id DESC LIMIT ${ph(args.length)}`;
  return { sql, args };
}

export type AuditQuery = AuditFilter;

/** `%`, `_` and `\` in a LIKE pattern mean themselves. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * SELECT for audit(): seq order after a cursor, optionally one deployment, type or actor, and
 * text (`q`, case-insensitive substring of SEARCH_TEXT_SQL). SQLite answers text of 3+
 * characters from its trigram FTS5 table, walking it in rowid (= seq) order so LIMIT stops
 * early; PostgreSQL's ILIKE uses the pg_trgm index when there is one. Shorter text scans.
 */
export function auditQuery(opts: AuditQuery, ph: Placeholder, dialect: Dialect = ph === pgPh ? 'postgres' : 'sqlite'): { sql: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    args.push(value);
    where.push(`${clause} ${ph(args.length)}`);
  };
  const q = opts.q === undefined || opts.q === '' ? undefined : opts.q;
  const fts = dialect === 'sqlite' && q !== undefined && [...q].length >= 3;
  if (fts) add('events_fts MATCH', `"${q.replaceAll('"', '""')}"`);
  add(fts ? 'f.rowid >' : 'seq >', Math.max(0, Math.floor(opts.afterSeq ?? 0)));
  if (opts.deploymentId !== undefined) add('deployment_id =', opts.deploymentId);
  if (opts.type !== undefined) add('type =', opts.type);
  if (opts.actor !== undefined) add('actor =', opts.actor);
  if (q !== undefined && !fts) {
    add(`(${SEARCH_TEXT_SQL}) ${dialect === 'postgres' ? 'ILIKE' : 'LIKE'}`, likeContains(q));
    if (dialect === 'sqlite') where[where.length - 1] += " ESCAPE '\\'";
  }
  args.push(clampLimit(opts.limit, DEFAULT_AUDIT_LIMIT));
  const from = fts ? 'events_fts f JOIN events e ON e.seq = f.rowid' : 'events';
  return { sql: `SELECT ${fts ? 'e.*' : '*'} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${fts ? 'f.rowid' : 'seq'} LIMIT ${ph(args.length)}`, args };
}

export const UNFINISHED_SQL = `SELECT * FROM deployments WHERE completed_at IS NULL AND status IN (${ACTIVE_STATUSES.map(
  (s) => `'${s}'`,
).join(', ')}) ORDER BY received_at, id`;
