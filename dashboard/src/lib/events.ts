// One shared live connection to GET /api/events (Server-Sent Events) for the whole app.
// The browser's EventSource reconnects by itself and resends the last `id:` as Last-Event-ID,
// so the server can replay what we missed; we drop anything at or below the last seq seen.
import { TIMELINE_EVENT_TYPES, type TimelineEvent } from '../../../src/core/timeline.js';
import { apiUrl, getToken } from './api.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';
type Listener = (ev: TimelineEvent) => void;

const listeners = new Set<Listener>();
const statusListeners = new Set<(s: LiveStatus) => void>();
let source: EventSource | undefined;
let lastSeq = -1;
let status: LiveStatus = 'connecting';
let lastAt = 0;
let lastArrival = 0;

/**
 * The commander's "now", for ages. Its clock may run faster than real time (demo, replay), so
 * trust the newest event time seen, advanced by real time since it arrived, when it is ahead.
 */
/** Note a time the server reported (event, receipt, decision): the server's now is at least that. */
export function observeServerTime(at: number): void {
  if (at > lastAt) {
    lastAt = at;
    lastArrival = Date.now();
  }
}

export function serverNow(): number {
  const real = Date.now();
  return lastAt ? Math.max(real, lastAt + (real - lastArrival)) : real;
}

function setStatus(s: LiveStatus): void {
  status = s;
  for (const l of statusListeners) l(s);
}

function onMessage(m: MessageEvent): void {
  let ev: TimelineEvent;
  try {
    ev = JSON.parse(m.data as string) as TimelineEvent;
  } catch {
    return; // comments/heartbeats or foreign data: not a timeline event
  }
  if (!ev || typeof ev.type !== 'string') return;
  if (typeof ev.at === 'number') observeServerTime(ev.at);
  if (typeof ev.seq === 'number') {
    if (ev.seq <= lastSeq) return;
    lastSeq = ev.seq;
  }
  for (const l of listeners) l(ev);
}

function connect(): void {
  // EventSource cannot send headers; a token (when set) goes as a query parameter the server
  // may accept for this read-only stream.
  const token = getToken();
  const url = apiUrl('/api/events') + (token ? `?access_token=${encodeURIComponent(token)}` : '');
  source = new EventSource(url);
  source.onopen = () => setStatus('live');
  source.onerror = () => setStatus('reconnecting');
  source.onmessage = onMessage;
  // Servers may name events by type (`event: decision.made`); those skip onmessage.
  for (const t of TIMELINE_EVENT_TYPES) source.addEventListener(t, onMessage as EventListener);
}

export function subscribeEvents(fn: Listener): () => void {
  listeners.add(fn);
  if (!source) connect();
  return () => listeners.delete(fn);
}

export function subscribeLiveStatus(fn: (s: LiveStatus) => void): () => void {
  statusListeners.add(fn);
  fn(status);
  if (!source) connect();
  return () => statusListeners.delete(fn);
}

/** Reconnect (e.g. after the token or API base changed in Settings). */
export function reconnectEvents(): void {
  source?.close();
  source = undefined;
  setStatus('connecting');
  connect();
}
