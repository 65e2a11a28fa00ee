// App-wide live model of GET /api/deployments: loaded once, then kept current from the event
// stream. Events patch rows at once (applyEvent); touched deployments are re-fetched shortly
// after so rows converge on the server's truth whatever the payload carried.
import { useSyncExternalStore } from 'react';
import type { DeploymentDetailResponse, DeploymentListItem } from '../../../src/core/api.js';
import type { TimelineEvent } from '../../../src/core/timeline.js';
import { apiGet } from './api.js';
import { applyEvent, listFromResponse, rowFromDetail } from './deployments.js';
import { observeServerTime, subscribeEvents } from './events.js';

export interface DeploymentsSnapshot {
  rows: ReadonlyMap<string, DeploymentListItem>;
  /** bumps on every change, for memoisation */
  version: number;
  loaded: boolean;
  error?: string;
}

const rows = new Map<string, DeploymentListItem>();
let snapshot: DeploymentsSnapshot = { rows, version: 0, loaded: false };
const subscribers = new Set<() => void>();
let started = false;
let notifyTimer: ReturnType<typeof setTimeout> | undefined;
const dirty = new Set<string>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;
/** Above this many touched rows one list request is cheaper than one request per row. */
const MAX_DETAIL_REFRESH = 20;
const FLUSH_MS = 400;
const ACTED = new Set<string>(['rolled_back', 'scaled_up', 'escalated', 'action_failed', 'action_unknown', 'not_recovered']);
const MAX_ACTED_REFRESH = 20;

function publish(patch: Partial<DeploymentsSnapshot> = {}): void {
  snapshot = { ...snapshot, ...patch, rows, version: snapshot.version + 1 };
  // Coalesce bursts of events into one render.
  if (notifyTimer) return;
  notifyTimer = setTimeout(() => {
    notifyTimer = undefined;
    for (const s of subscribers) s();
  }, 50);
}

/** The server pages the list (at most 500 a request, newest first, `before` = receivedAt). */
const PAGE = 500;
const MAX_PAGES = 40;

async function fetchAll(): Promise<DeploymentListItem[]> {
  const all: DeploymentListItem[] = [];
  let before: number | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = listFromResponse(await apiGet<unknown>(`/api/deployments?limit=${PAGE}${before ? `&before=${before}` : ''}`));
    all.push(...page);
    if (page.length < PAGE) break;
    const oldest = Math.min(...page.map((r) => r.receivedAt));
    if (before !== undefined && oldest >= before) break; // no progress: stop rather than loop
    before = oldest;
  }
  return all;
}

export async function reloadDeployments(): Promise<void> {
  try {
    const list = await fetchAll();
    rows.clear();
    for (const r of list) {
      rows.set(r.id, r);
      observeServerTime(Math.max(r.receivedAt, r.decision?.at ?? 0));
    }
    publish({ loaded: true, error: undefined });
    // The list answer carries the latest decision, which after an action is the watch's
    // "continue" while it verifies. Rows whose status says an action happened are re-read
    // once so they show the decision that was acted on (bounded: newest first).
    const acted = list.filter((r) => ACTED.has(r.status) && r.decision?.action === 'continue').slice(0, MAX_ACTED_REFRESH);
    for (const r of acted) dirty.add(r.id);
    if (acted.length) flushTimer ??= setTimeout(flush, 0);
  } catch (e) {
    publish({ loaded: true, error: (e as Error).message });
  }
}

async function refreshOne(id: string): Promise<void> {
  try {
    const d = await apiGet<DeploymentDetailResponse>(`/api/deployments/${encodeURIComponent(id)}?series=0`);
    rows.set(id, rowFromDetail(d));
    publish();
  } catch {
    /* transient: the next event for this deployment retries */
  }
}

function flush(): void {
  flushTimer = undefined;
  const ids = [...dirty];
  dirty.clear();
  if (ids.length > MAX_DETAIL_REFRESH) void reloadDeployments();
  else for (const id of ids) void refreshOne(id);
}

function onEvent(ev: TimelineEvent): void {
  if (!ev.deploymentId) return;
  const next = applyEvent(rows.get(ev.deploymentId), ev);
  if (next) {
    rows.set(ev.deploymentId, next);
    publish();
  }
  dirty.add(ev.deploymentId);
  flushTimer ??= setTimeout(flush, FLUSH_MS);
}

function start(): void {
  if (started) return;
  started = true;
  subscribeEvents(onEvent);
  void reloadDeployments();
}

function subscribe(fn: () => void): () => void {
  subscribers.add(fn);
  start();
  return () => subscribers.delete(fn);
}

export function useDeployments(): DeploymentsSnapshot {
  return useSyncExternalStore(subscribe, () => snapshot);
}
