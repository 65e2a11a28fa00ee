// One deployment, one watch: tick → collect → evaluate (pipeline) → decide → guard → act →
// verify → outcome. The watch keeps no state of its own between ticks: at every tick it
// re-derives its state from the timeline, so a watch resumed after a crash continues exactly
// where the timeline stops. Every append carries a dedupeKey, so replaying a half-done tick
// never duplicates an event; the actuator gets a stable action id, so a replayed action is
// not done twice.
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import type { NewTimelineEvent, TimelineEventType } from '../core/timeline.js';
import type {
  Actuator,
  Deployment,
  DeploymentStatus,
  Outcome,
  Policy,
  SignalBundle,
  SignalQuery,
  SignalSource,
} from '../core/types.js';
import { evaluateTick } from './pipeline.js';
import { judgeRecovery } from './recovery.js';
import { outcomeReward } from '../policy/rewards.js';
import type { GuardFn } from './guard.js';
import {
  deriveState,
  executedAction,
  latestDecision,
  pendingDecision,
  statusOf,
  type DecisionState,
  type WatchState,
  type WatchTiming,
} from './state.js';

export interface WatchHooks {
  tick?(durationMs: number): void;
  decision?(action: string): void;
  action?(action: string, result: 'executed' | 'failed' | 'dry_run'): void;
  /** the learning stage: called once per verified outcome */
  outcome?(ctx: { deployment: Deployment; outcome: Outcome; decision?: DecisionState }): void | Promise<void>;
  error?(deploymentId: string, err: unknown): void;
}

export interface WatchDeps {
  store: Store;
  clock: Clock;
  sources: SignalSource[];
  actuator: Actuator;
  /** the current policy (learning may replace it between ticks) */
  policy: () => Policy;
  guard: GuardFn;
  timing: WatchTiming;
  hooks?: WatchHooks;
  /** one tick of judgment; defaults to the pure pipeline (tests may inject a stand-in) */
  evaluate?: typeof evaluateTick;
  /** per-source collect timeout, real ms */
  sourceTimeoutMs?: number;
  /** waits for this watch's turn to tick (loop/tick-pacer.ts), so many due watches share the loop */
  pace?: (signal?: AbortSignal) => Promise<void>;
}

const SYSTEM = 'system';

/** Run (or resume) a watch until it completes or `signal` aborts. Returns the final status. */
export async function runWatch(deployment: Deployment, deps: WatchDeps, signal?: AbortSignal): Promise<DeploymentStatus> {
  const { store, clock } = deps;
  const id = deployment.id;
  let state = deriveState(await store.events(id));
  if (state.completed) return state.completed.status;
  // Timing is fixed when the watch starts and read back on resume, so a config change between
  // crash and restart cannot reshape a watch half-way.
  const timing = state.timing ?? deps.timing;
  const stepMs = timing.stepSeconds * 1000;
  const evaluate = deps.evaluate ?? evaluateTick;
  const windowEnd = deployment.at + timing.windowSeconds * 1000;

  const append = (type: TimelineEventType, payload: Record<string, unknown>, dedupeKey: string, at = clock.now(), actor = SYSTEM) =>
    // dedupe keys are global in the store: scope them to this deployment.
    store.append({ deploymentId: id, type, at, actor, payload, dedupeKey: `${id}:${dedupeKey}` } satisfies NewTimelineEvent);

  if (state.lastSeq === 0) {
    // a crash between storing the deployment and recording it leaves no event: record it now
    await append('deployment.received', { deployment: specOf(deployment), source: deployment.source }, 'received', deployment.receivedAt);
  }
  if (!state.timing) {
    await append('watch.started', { ...timing }, 'watch.started', Math.max(deployment.receivedAt, deployment.at));
  }

  for (let k = Math.max(1, state.lastTick); ; k++) {
    const t = deployment.at + k * stepMs;
    if (!(await sleepUntil(clock, t, signal, deps.pace))) return statusOf(state);
    const started = performance.now();
    state = deriveState(await store.events(id));
    if (state.completed) return state.completed.status;
    await settle(state);
    if (signal?.aborted) return statusOf(state);

    const bundle = await collect(deps, { deployment, from: deployment.at - timing.baselineSeconds * 1000, to: t, stepSeconds: timing.stepSeconds });
    await append('signals.collected', { tick: k, from: deployment.at - timing.baselineSeconds * 1000, to: t, counts: counts(bundle), problems: bundle.problems }, `t${k}:signals`, t);
    const policy = deps.policy();
    const r = evaluate({ deployment, bundle, now: t, stepSeconds: timing.stepSeconds, policy });
    const last = latestDecision(state);
    const actionChanged = !last || last.decision.action !== r.decision.action;
    const findingIds = r.analysis.findings.map((f) => f.id).sort().join(',');
    // Analysis and summary are written when they say something new (or every 8 ticks), not
    // at every tick: the timeline stays readable and the store small.
    if (actionChanged || findingIds !== state.lastFindingIds || r.summary.headline !== state.summary?.headline || k - state.lastAnalysisTick >= 8) {
      await append('analysis.completed', { tick: k, analysis: r.analysis, findingIds }, `t${k}:analysis`, t);
      await append('summary.written', { tick: k, summary: r.summary }, `t${k}:summary`, t, r.summary.author);
    }
    // A decision waiting for a human is re-judged while the same action keeps being chosen: if
    // the evidence grows strong enough to act alone, a new decision supersedes the pending one.
    const rejudge = !actionChanged && last?.approval === 'pending' && r.decision.action !== 'continue';
    if (actionChanged || rejudge) {
      const automaticActions = state.actions.filter((a) => a.automatic && a.status !== 'dry_run').length;
      const lastActionAt = await lastServiceActionAt(store, deployment);
      const verdict = deps.guard({
        decision: r.decision,
        analysis: r.analysis,
        environment: deployment.environment,
        service: deployment.service,
        automaticActions,
        now: t,
        ...(lastActionAt !== undefined ? { lastActionAt } : {}),
      });
      if (rejudge && verdict.mode !== 'execute') {
        deps.hooks?.tick?.(performance.now() - started);
        const waiting = await finishIfDue(state, bundle, t, policy);
        await store.setStatus(id, waiting ?? statusOf(deriveState(await store.events(id))));
        if (waiting) return waiting;
        continue;
      }
      await append(
        'decision.made',
        { decisionId: `${id}-d${k}`, tick: k, decision: r.decision, guard: verdict, features: r.features, headline: r.summary.headline },
        `t${k}:decision`,
        t,
        `policy:${r.decision.policyVersion}`,
      );
      deps.hooks?.decision?.(r.decision.action);
      state = deriveState(await store.events(id));
      await settle(state);
      state = deriveState(await store.events(id));
    }
    deps.hooks?.tick?.(performance.now() - started);

    const done = await finishIfDue(state, bundle, t, policy);
    await store.setStatus(id, done ?? statusOf(deriveState(await store.events(id))));
    if (done) return done;
  }

  /** Carry out what the timeline says must happen and has not happened yet. */
  async function settle(s: WatchState): Promise<void> {
    for (const d of s.decisions) {
      if (d.decision.action === 'continue') continue;
      const act = s.actions.find((a) => a.decisionId === d.id);
      if (act && act.status !== 'requested') continue;
      if (d.guard.mode === 'dry_run' && !act) {
        await append('action.requested', { actionId: `${d.id}-a`, decisionId: d.id, action: d.decision.action, actuator: deps.actuator.name, reason: d.guard.reason, automatic: true, dryRun: true }, `${d.id}-a:requested`);
        deps.hooks?.action?.(d.decision.action, 'dry_run');
      } else if (d.guard.mode === 'execute' || d.approval === 'approved' || act) {
        await act_(d);
      }
    }
  }

  async function act_(d: DecisionState): Promise<void> {
    const action = d.decision.action;
    if (action === 'continue') return;
    const actionId = `${d.id}-a`;
    const automatic = d.approval !== 'approved';
    const reason = automatic ? d.guard.reason : `approved by ${d.approvalBy ?? 'a human'}${d.approvalReason ? `: ${d.approvalReason}` : ''}`;
    await append('action.requested', { actionId, decisionId: d.id, action, actuator: deps.actuator.name, reason, automatic }, `${actionId}:requested`, clock.now(), automatic ? SYSTEM : (d.approvalBy ?? SYSTEM));
    await store.setStatus(id, 'acting');
    let result;
    try {
      result = await deps.actuator.execute({ id: actionId, action, deployment, reason });
    } catch (e) {
      result = { ok: false, detail: `actuator error: ${e instanceof Error ? e.message : String(e)}` };
    }
    await append(result.ok ? 'action.executed' : 'action.failed', { actionId, decisionId: d.id, action, detail: result.detail, changes: result.changes ?? {} }, `${actionId}:result`);
    deps.hooks?.action?.(action, result.ok ? 'executed' : 'failed');
  }

  /** Verify and complete when the verify window (or the watch window) is over. */
  async function finishIfDue(s: WatchState, bundle: SignalBundle, t: number, policy: Policy): Promise<DeploymentStatus | undefined> {
    const executed = executedAction(s);
    let outcome: Outcome;
    let status: DeploymentStatus;
    let reason: string;
    if (executed) {
      const verifyEnd = (executed.finishedAt ?? t) + timing.verifySeconds * 1000;
      if (t < verifyEnd) return undefined;
      const v = judgeRecovery({ deployment, bundle, actionAt: executed.finishedAt ?? t, graceMs: Math.min(60_000, (timing.verifySeconds * 1000) / 3), now: t, stepSeconds: timing.stepSeconds, policy, evaluate });
      const minutesWaited = Math.max(0, ((executed.finishedAt ?? t) - deployment.at) / 60_000);
      outcome = { recovered: v.recovered, action: executed.action, detail: v.detail, reward: outcomeReward({ action: executed.action, recovered: v.recovered, minutesWaited }) };
      status = executed.action === 'escalate' ? 'escalated' : !v.recovered ? 'not_recovered' : executed.action === 'rollback' ? 'rolled_back' : 'scaled_up';
      reason = `${executed.action} verified over ${timing.verifySeconds}s`;
    } else {
      if (t < windowEnd) return undefined;
      if (s.actions.some((a) => a.status === 'requested')) return undefined;
      const pending = pendingDecision(s);
      if (pending) {
        if (t < windowEnd + timing.approvalTimeoutSeconds * 1000) return undefined;
        await append('action.rejected', { decisionId: pending.id, reason: `no approval within ${timing.approvalTimeoutSeconds}s after the window` }, `${pending.id}:approval`, t);
      }
      const last = latestDecision(s);
      const healthy = !last || last.decision.action === 'continue';
      const failed = s.actions.some((a) => a.status === 'failed');
      outcome = {
        recovered: healthy,
        action: 'continue',
        detail: healthy ? 'healthy through the watch window' : `window ended with '${last?.decision.action}' not carried out`,
        reward: outcomeReward({ action: 'continue', recovered: healthy, minutesWaited: timing.windowSeconds / 60 }),
      };
      status = failed ? 'action_failed' : healthy ? 'healthy' : 'escalated';
      reason = `watch window of ${timing.windowSeconds}s ended`;
    }
    const ev = await append('outcome.verified', { ...(executed ? { actionId: executed.id } : {}), outcome }, 'outcome', t);
    const decision = executed ? s.decisions.find((d) => d.id === executed.decisionId) : latestDecision(s);
    try {
      // Learning must never break the loop: an error here is reported, the watch completes.
      await deps.hooks?.outcome?.({ deployment, outcome: ev.payload.outcome as Outcome, ...(decision ? { decision } : {}) });
    } catch (e) {
      deps.hooks?.error?.(id, e);
    }
    await append('watch.completed', { status, reason }, 'watch.completed', t);
    return status;
  }
}

function specOf(d: Deployment): Record<string, unknown> {
  const { id: _id, source: _s, receivedAt: _r, status: _st, ...spec } = d;
  return spec;
}

/** When anything was last done to this service+environment (any deployment), for the cooldown. */
async function lastServiceActionAt(store: Store, d: Deployment): Promise<number | undefined> {
  let last: number | undefined;
  for (const other of await store.listDeployments({ service: d.service, environment: d.environment, limit: 10 })) {
    for (const e of await store.events(other.id)) {
      if (e.type === 'action.executed' && (last === undefined || e.at > last)) last = e.at;
    }
  }
  return last;
}

/** Ask every source; a failing or slow source becomes a `problem`, never "unhealthy". */
async function collect(deps: WatchDeps, query: SignalQuery): Promise<SignalBundle> {
  const out: SignalBundle = { metrics: {}, logs: [], spans: [], limits: {}, problems: [] };
  const timeoutMs = deps.sourceTimeoutMs ?? 10_000;
  await Promise.all(
    deps.sources.map(async (src) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const b = await Promise.race([
          src.collect(query),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        for (const [k, v] of Object.entries(b.metrics)) if (v && v.length && !out.metrics[k]) out.metrics[k] = v;
        if (b.baselineMetrics) out.baselineMetrics = { ...b.baselineMetrics, ...(out.baselineMetrics ?? {}) };
        out.logs.push(...b.logs);
        out.spans.push(...b.spans);
        Object.assign(out.limits, b.limits);
        out.problems.push(...b.problems);
      } catch (e) {
        out.problems.push({ source: src.name, message: e instanceof Error ? e.message : String(e) });
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  out.logs.sort((a, b) => a.at - b.at);
  return out;
}

function counts(b: SignalBundle): Record<string, unknown> {
  return {
    metrics: Object.fromEntries(Object.entries(b.metrics).map(([k, v]) => [k, v?.length ?? 0])),
    logs: b.logs.length,
    spans: b.spans.length,
  };
}

/** Sleep on the injected clock until `t`, then wait for this watch's turn; false when aborted. */
async function sleepUntil(clock: Clock, t: number, signal?: AbortSignal, pace?: WatchDeps['pace']): Promise<boolean> {
  for (;;) {
    if (signal?.aborted) return false;
    const wait = t - clock.now();
    if (wait <= 0) {
      // Catching up (after a restart, or when ticks take longer than the clock allows) must
      // still let HTTP and other watches run: with a synchronous store every await here would
      // otherwise resolve as a microtask and starve the event loop.
      await (pace ? pace(signal) : new Promise<void>((r) => setImmediate(r)));
      return !signal?.aborted;
    }
    await clock.sleep(wait, signal);
  }
}
