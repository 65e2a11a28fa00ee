import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeploymentDetailResponse } from '../../../src/core/api.js';
import { apiGet } from '../lib/api.js';
import { useLiveEvents } from './useLive.js';

/** GET /api/deployments/:id, re-fetched (throttled) whenever a live event concerns it. */
export function useDeploymentDetail(id: string, opts: { series?: boolean } = {}) {
  const series = opts.series ?? true;
  const [detail, setDetail] = useState<DeploymentDetailResponse>();
  const [error, setError] = useState<{ status: number; message: string }>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const load = useCallback(async () => {
    try {
      const d = await apiGet<DeploymentDetailResponse>(`/api/deployments/${encodeURIComponent(id)}${series ? '' : '?series=0'}`);
      setDetail(d);
      setError(undefined);
    } catch (e) {
      setError({ status: (e as { status?: number }).status ?? 0, message: (e as Error).message });
    }
  }, [id, series]);

  useEffect(() => {
    setDetail(undefined);
    void load();
    return () => clearTimeout(timer.current);
  }, [load]);

  useLiveEvents((ev) => {
    if (ev.deploymentId !== id || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void load();
    }, 300);
  });

  return { detail, error, reload: load };
}
