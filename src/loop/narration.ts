// The LLM narrator in the loop, beside it and never in it: each `summary.written` a watch appends
// is handed to the narrator (summary/llm-narrator.ts) with the analysis of the same tick, and the
// result is appended as `summary.narrated`: the narrative when it passed the fact check against
// the findings, else the reason the deterministic text stands (timeout, HTTP error, a claim not in
// the findings). Decisions never wait for it or read it, so replay stays deterministic and a slow
// or failing endpoint costs nothing but the narration. Work is queued (bounded) and done a few at
// a time; a summary with nothing to narrate (no significant finding) gets no event.
import type { Store } from '../core/store.js';
import type { TimelineEvent } from '../core/timeline.js';
import type { Analysis, DeploymentSpec, Summary } from '../core/types.js';
import type { EventBus } from './bus.js';

export type NarrateFn = (analysis: Analysis, deployment: DeploymentSpec, fallback: Summary) => Promise<Summary & { narratorError?: string }>;

export interface NarrationDeps {
  bus: EventBus;
  store: Pick<Store, 'append' | 'events' | 'getDeployment'>;
  narrate: NarrateFn;
  now: () => number;
  log?: (line: string) => void;
  /** narrations in flight at once (default 2) */
  concurrency?: number;
  /** summaries waiting; past it the newest is not narrated (default 200) */
  maxPending?: number;
}

export interface Narration {
  /** resolves when nothing is queued or in flight (tests, shutdown) */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function startNarration(deps: NarrationDeps): Narration {
  const concurrency = deps.concurrency ?? 2;
  const maxPending = deps.maxPending ?? 200;
  const pending: TimelineEvent[] = [];
  let running = 0;
  let skipped = 0;
  let stopped = false;
  let waiters: Array<() => void> = [];

  const onAppended = (e: TimelineEvent): void => {
    if (stopped || e.type !== 'summary.written' || !e.deploymentId) return;
    if (pending.length >= maxPending) {
      if (skipped++ % 100 === 0) deps.log?.(`narrator: ${skipped} summaries not narrated (more than ${maxPending} waiting)`);
      return;
    }
    pending.push(e);
    next();
  };
  deps.bus.on('appended', onAppended);

  function next(): void {
    while (running < concurrency && pending.length > 0) {
      const e = pending.shift()!;
      running++;
      narrateOne(e)
        .catch((err: unknown) => deps.log?.(`narrator: ${e.deploymentId}: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          running--;
          next();
        });
    }
    if (running === 0 && pending.length === 0) {
      for (const w of waiters) w();
      waiters = [];
    }
  }

  async function narrateOne(e: TimelineEvent): Promise<void> {
    const id = e.deploymentId!;
    const tick = e.payload.tick;
    const summary = e.payload.summary as Summary | undefined;
    if (!summary) return;
    const [events, deployment] = await Promise.all([deps.store.events(id), deps.store.getDeployment(id)]);
    const analysis = events.findLast((x) => x.type === 'analysis.completed' && x.payload.tick === tick)?.payload.analysis as Analysis | undefined;
    if (!analysis || !deployment) return;
    const r = await deps.narrate(analysis, deployment, summary);
    const grounded = r.author !== summary.author;
    if (!grounded && !r.narratorError) return; // nothing to narrate: the deterministic line says it
    await deps.store.append({
      deploymentId: id,
      type: 'summary.narrated',
      // the tick's time, so the narration sits with the summary it restates
      at: e.at,
      actor: grounded ? r.author : 'system',
      payload: { tick, summarySeq: e.seq, grounded, author: r.author, text: r.text, ...(r.narratorError ? { error: r.narratorError } : {}), narratedAt: deps.now() },
      dedupeKey: `${id}:t${String(tick)}:narration`,
    });
  }

  return {
    idle: () => (running === 0 && pending.length === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    async stop() {
      stopped = true;
      deps.bus.off('appended', onAppended);
      pending.length = 0;
      if (running > 0) await new Promise<void>((r) => waiters.push(r));
    },
  };
}
