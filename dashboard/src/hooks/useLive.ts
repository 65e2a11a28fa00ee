import { useEffect, useRef, useState } from 'react';
import type { TimelineEvent } from '../../../src/core/timeline.js';
import { subscribeEvents, subscribeLiveStatus, type LiveStatus } from '../lib/events.js';

/** Calls `fn` for every live timeline event while the component is mounted. */
export function useLiveEvents(fn: (ev: TimelineEvent) => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => subscribeEvents((ev) => ref.current(ev)), []);
}

export function useLiveStatus(): LiveStatus {
  const [s, setS] = useState<LiveStatus>('connecting');
  useEffect(() => subscribeLiveStatus(setS), []);
  return s;
}

/** Current time, refreshed every `ms` so ages stay right without a reload. */
export function useNow(ms = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function useHash(): string {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}
