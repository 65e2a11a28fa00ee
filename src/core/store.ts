// The Store interface: one per adapter family (store/sqlite.ts, store/postgres.ts implement it).
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
  checked: number;
  /** seq of the first event whose hash does not match, when !ok */
  brokenAt?: number;
  reason?: string;
}

export interface CreateDeploymentResult {
  deployment: Deployment;
  /** false when the same delivery was seen before (idempotency) */
  created: boolean;
}

export interface Store {
  /** Create or, for a repeated delivery (same idempotency key), return the existing one. */
  createDeployment(
    spec: DeploymentSpec,
    meta: { id: string; source: string; receivedAt: number; idempotencyKey: string },
  ): Promise<CreateDeploymentResult>;
  getDeployment(id: string): Promise<Deployment | undefined>;
  listDeployments(filter?: DeploymentFilter): Promise<Deployment[]>;
  setStatus(id: string, status: DeploymentStatus): Promise<void>;
  /** Append to the hash chain. Idempotent on `dedupeKey`. */
  append(event: NewTimelineEvent): Promise<TimelineEvent>;
  events(deploymentId: string): Promise<TimelineEvent[]>;
  /** audit trail in seq order, after `afterSeq` */
  audit(opts?: { afterSeq?: number; limit?: number; deploymentId?: string; type?: string; actor?: string }): Promise<TimelineEvent[]>;
  /** seq of the newest event (0 when empty), read from the chain head in O(1). Optional so
   *  test doubles need not implement it; store/sqlite.ts and store/postgres.ts do. */
  headSeq?(): Promise<number>;
  verifyAudit(): Promise<AuditVerification>;
  /** deployments whose watch has not completed (resume after a crash) */
  unfinishedDeployments(): Promise<Deployment[]>;
  /** small key-value state (policy versions, cursors); setting undefined deletes the key */
  getState<T>(key: string): Promise<T | undefined>;
  setState<T>(key: string, value: T): Promise<void>;
  close(): Promise<void>;
}
