import { useEffect, useRef, useState } from 'react';
import type { TimelineEvent } from '../../../src/core/timeline.js';
import { serverNow, subscribeEvents, subscribeLiveStatus, type LiveStatus } from '../lib/events.js';

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

/** The commander's current time, refreshed every `ms` so ages stay right without a reload. */
export function useNow(ms = 5000): number {
  const [now, setNow] = useState(() => serverNow());
  useEffect(() => {
    const t = setInterval(() => setNow(serverNow()), ms);
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
