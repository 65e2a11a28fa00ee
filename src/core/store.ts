// The Store interface: one per adapter family (store/sqlite.ts, store/postgres.ts implement it).
import type { DeploymentListItem } from './api.js';
import type { Deployment, DeploymentSpec, DeploymentStatus } from './types.js';
import type { NewTimelineEvent, TimelineEvent } from './timeline.js';

export interface DeploymentFilter {
  service?: string;
  environment?: string;
  status?: DeploymentStatus;
  limit?: number;
  /** only deployments received before this epoch ms (paging) */
  before?: number;
}

export interface AuditVerification {
  ok: boolean;
  /** events the verdict covers: seq 1 up to the head when ok, up to the break when not */
  checked: number;
  /** seq of the first event whose hash does not match, when !ok */
  brokenAt?: number;
  reason?: string;
  /** where hashing started: the last checkpoint's seq (0 = the whole chain was walked) */
  fromSeq?: number;
  /** events hashed by this verification */
  hashed?: number;
}

export interface CreateDeploymentResult {
  deployment: Deployment;
  /** false when the same delivery was seen before (idempotency) */
  created: boolean;
  /** the first event, appended in the same transaction, when it was given and created */
  event?: TimelineEvent;
  /** every event appended with it (firstEvent, then thenEvents), when created */
  events?: TimelineEvent[];
}

export interface CreateDeploymentMeta {
  id: string;
  source: string;
  receivedAt: number;
  idempotencyKey: string;
  /** appended to the new deployment's timeline in the same transaction (nothing when not created) */
  firstEvent?: Omit<NewTimelineEvent, 'deploymentId'>;
  /** appended after firstEvent in the same transaction (intake: the watch's start) */
  thenEvents?: Array<Omit<NewTimelineEvent, 'deploymentId'>>;
}

export interface AuditFilter {
  afterSeq?: number;
  limit?: number;
  deploymentId?: string;
  type?: string;
  actor?: string;
  /** case-insensitive text in the event's type, actor, deployment id or payload (first 4,000 characters) */
  q?: string;
}

export interface Store {
  /** Create or, for a repeated delivery (same idempotency key), return the existing one. */
  createDeployment(spec: DeploymentSpec, meta: CreateDeploymentMeta): Promise<CreateDeploymentResult>;
  getDeployment(id: string): Promise<Deployment | undefined>;
  listDeployments(filter?: DeploymentFilter): Promise<Deployment[]>;
  /** The same rows with what the list shows of each (status, decision, headline, pending
   *  approval), kept on the row as events are appended: no timeline is read. */
  listDeploymentItems(filter?: DeploymentFilter): Promise<DeploymentListItem[]>;
  /** The row's status, for a deployment whose watch has not completed (after `watch.completed`
   *  the timeline's status stands and this is a no-op). Throws for an unknown deployment. */
  setStatus(id: string, status: DeploymentStatus): Promise<void>;
  /** Append to the hash chain. Idempotent on `dedupeKey`. Settles after the commit. */
  append(event: NewTimelineEvent): Promise<TimelineEvent>;
  events(deploymentId: string): Promise<TimelineEvent[]>;
  /** audit trail in seq order, after `afterSeq` */
  audit(opts?: AuditFilter): Promise<TimelineEvent[]>;
  /** seq of the newest event (0 when empty), read from the chain head in O(1). Optional so
   *  test doubles need not implement it; store/sqlite.ts and store/postgres.ts do. */
  headSeq?(): Promise<number>;
  /** Check the hash chain from the last checkpoint (the newest seq a verification found
   *  intact, and that event's hash, which must still match) up to the head, then move the
   *  checkpoint there. `full`: walk the whole chain from seq 1 (finds edits before the checkpoint). */
  verifyAudit(opts?: { full?: boolean }): Promise<AuditVerification>;
  /** deployments whose watch has not completed (resume after a crash) */
  unfinishedDeployments(): Promise<Deployment[]>;
  /** small key-value state (policy versions, cursors); setting undefined deletes the key */
  getState<T>(key: string): Promise<T | undefined>;
  setState<T>(key: string, value: T): Promise<void>;
  close(): Promise<void>;
}
