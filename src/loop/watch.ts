// One deployment, one watch: tick → collect → evaluate (pipeline) → decide → guard → act →
// verify → outcome. The watch keeps no state of its own between ticks: at every tick it
// re-derives its state from the timeline, so a watch resumed after a crash continues exactly
// where the timeline stops. Every append carries a dedupeKey, so replaying a half-done tick
// never duplicates an event.
//
// An action is carried out at most once, across crashes and across workers:
// - `action.requested` is recorded before the actuator is called, and its append is the claim:
//   only the process whose append created it calls the actuator straight away;
// - that process holds a lease (action-lease.ts) while the actuator runs, so a process resuming
//   the watch meanwhile (a worker given the job after it expired) leaves the action alone;
// - an action found `requested` with nobody at work on it (the process died mid-action) is
//   reconciled, not repeated: the actuator is asked whether it already acted (`check`) and its
//   answer is recorded (`done`), carried out (`not_done`), or recorded as `action.unknown` and
//   escalated to a person with the evidence (`unknown`). Executed, failed and unknown share one
//   dedupe key, so an action has exactly one result.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/store.js';
import type { NewTimelineEvent, TimelineEvent, TimelineEventType } from '../core/timeline.js';
import type {
  ActionCheck,
  ActionContext,
  ActionRequest,
  ActionResult,
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
import type { Thresholds } from '../analysis/thresholds.js';
import { dict } from '../core/own.js';
import { judgeRecovery } from './recovery.js';
import { outcomeReward } from '../policy/rewards.js';
import type { GuardFn } from './guard.js';
import { ActionLeases, type LeaseHolder } from './action-lease.js';
import {
  deriveState,
  executedAction,
  latestDecision,
  pendingDecision,
  statusOf,
  unknownAction,
  type ActionState,
  type DecisionState,
  type WatchState,
  type WatchTiming,
} from './state.js';

export interface WatchHooks {
  tick?(durationMs: number): void;
  decision?(action: string): void;
  action?(action: string, result: 'executed' | 'failed' | 'unknown' | 'dry_run'): void;
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
  /** the service's configured absolute limits (analysis/thresholds.ts) */
  thresholds?: (deployment: Deployment) => Thresholds | undefined;
  /** who this process is to other processes on the store (tests stand in for other workers) */
  leaseHolder?: LeaseHolder;
  /** how long an action's lease lives without renewal, real ms (default 30 s) */
  leaseTtlMs?: number;
  /** waits for this watch's turn to tick (loop/tick-pacer.ts), so many due watches share the loop */
  pace?: (signal?: AbortSignal, resume?: boolean) => Promise<void>;
}

const SYSTEM = 'system';

/** The event a watch starts with: its timing, fixed for the rest of the watch. */
export function watchStartedEvent(id: string, timing: WatchTiming, deployAt: number, receivedAt: number): Omit<NewTimelineEvent, 'deploymentId'> {
  return { type: 'watch.started', at: Math.max(receivedAt, deployAt), actor: SYSTEM, payload: { ...timing }, dedupeKey: `${id}:watch.started` };
}

/** Run (or resume) a watch until it completes or `signal` aborts. Returns the final status.
 *  `known`: the deployment's whole timeline when the caller has it (it was just written). */
export async function runWatch(deployment: Deployment, deps: WatchDeps, signal?: AbortSignal, known?: TimelineEvent[]): Promise<DeploymentStatus> {
  const { store, clock } = deps;
  const id = deployment.id;
  let state = deriveState(known ?? (await store.events(id)));
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
  const leases = new ActionLeases(store, deps.leaseHolder, deps.leaseTtlMs);
  // the actuators' durable notes (a command's start and exit) live beside the timeline
  const actionCtx: ActionContext = { journal: { get: (k) => store.getState(k), set: (k, v) => store.setState(k, v) } };

  if (state.lastSeq === 0) {
    // a crash between storing the deployment and recording it leaves no event: record it now
    await append('deployment.received', { deployment: specOf(deployment), source: deployment.source }, 'received', deployment.receivedAt);
  }
  if (!state.timing) {
    const e = watchStartedEvent(id, timing, deployment.at, deployment.receivedAt);
    await store.append({ ...e, deploymentId: id });
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
    // the appends of many ticks commit together and resume them together: take a turn again
    // before the evaluation, so they do not all evaluate in one turn of the loop
    if (deps.pace) await deps.pace(signal, true);
    if (signal?.aborted) return statusOf(state);
    const policy = deps.policy();
    const r = evaluate({ deployment, bundle, now: t, stepSeconds: timing.stepSeconds, policy, thresholds: deps.thresholds?.(deployment) });
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
      // an action whose outcome is unknown does not count as taken: what comes next waits for a person (guard.ts)
      const automaticActions = state.actions.filter((a) => a.automatic && a.status !== 'dry_run' && a.status !== 'unknown').length;
      const lastActionAt = await lastServiceActionAt(store, deployment);
      const unresolved = unknownAction(state);
      const verdict = deps.guard({
        decision: r.decision,
        analysis: r.analysis,
        environment: deployment.environment,
        service: deployment.service,
        automaticActions,
        now: t,
        ...(lastActionAt !== undefined ? { lastActionAt } : {}),
        ...(unresolved ? { unknownAction: unresolved.action } : {}),
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
      } else if (act) {
        await resume(d, act);
      } else if (d.guard.mode === 'execute' || d.approval === 'approved') {
        await act_(d);
      }
    }
  }

  function requestOf(d: DecisionState, reason: string): ActionRequest {
    return { id: `${d.id}-a`, action: d.decision.action as ActionRequest['action'], deployment, reason };
  }

  /** A decision to act on with no action yet: claim it, carry it out, record the result. */
  async function act_(d: DecisionState): Promise<void> {
    const automatic = d.approval !== 'approved';
    const req = requestOf(d, automatic ? d.guard.reason : `approved by ${d.approvalBy ?? 'a human'}${d.approvalReason ? `: ${d.approvalReason}` : ''}`);
    // another process may have claimed it since this tick read the timeline
    if (await leases.atWork(req.id)) return;
    const lease = await leases.take(req.id);
    const claim = randomUUID();
    let won = false;
    try {
      const ev = await append(
        'action.requested',
        { actionId: req.id, decisionId: d.id, action: req.action, actuator: deps.actuator.name, reason: req.reason, automatic, executor: leases.holder.id, claim },
        `${req.id}:requested`,
        clock.now(),
        automatic ? SYSTEM : (d.approvalBy ?? SYSTEM),
      );
      // the first append is the claim; anyone else's turn comes only through resume()
      won = ev.payload.claim === claim;
      if (!won) return;
      await store.setStatus(id, 'acting');
      await record(d, req, await execute(req));
    } finally {
      if (won) await lease.release();
      else lease.abandon();
    }
  }

  /** An action requested earlier and never finished: reconcile it with the target, never just repeat it. */
  async function resume(d: DecisionState, act: ActionState): Promise<void> {
    const req = requestOf(d, act.reason);
    // its claimant is still at work (e.g. a worker whose job expired mid-action): leave it to it
    if (await leases.atWork(req.id)) return;
    const lease = await leases.take(req.id);
    try {
      await store.setStatus(id, 'acting');
      const c = await check(req);
      if (c.state === 'done') {
        await record(d, req, c.result, 'the target shows it was already done; not repeated');
      } else if (c.state === 'not_done') {
        await record(d, req, await execute(req), `not found done on the target (${c.evidence}); carried out now`);
      } else {
        await append(
          'action.unknown',
          { actionId: req.id, decisionId: d.id, action: req.action, actuator: deps.actuator.name, evidence: c.evidence, changes: c.changes ?? {} },
          `${req.id}:result`,
        );
        deps.hooks?.action?.(req.action, 'unknown');
      }
    } finally {
      await lease.release();
    }
  }

  async function execute(req: ActionRequest): Promise<ActionResult> {
    try {
      return await deps.actuator.execute(req, actionCtx);
    } catch (e) {
      return { ok: false, detail: `actuator error: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** The actuator's answer; an actuator that cannot answer (or keeps failing to) leaves it unknown. */
  async function check(req: ActionRequest): Promise<ActionCheck> {
    if (!deps.actuator.check) return { state: 'unknown', evidence: `the ${deps.actuator.name} actuator cannot tell whether it already acted` };
    let last: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await deps.actuator.check(req, actionCtx);
      } catch (e) {
        last = e;
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
    }
    return { state: 'unknown', evidence: `could not ask the ${deps.actuator.name} target whether it already acted: ${last instanceof Error ? last.message : String(last)}` };
  }

  async function record(d: DecisionState, req: ActionRequest, result: ActionResult, reconciled?: string): Promise<void> {
    await append(
      result.ok ? 'action.executed' : 'action.failed',
      { actionId: req.id, decisionId: d.id, action: req.action, detail: result.detail, changes: result.changes ?? {}, ...(reconciled ? { reconciled } : {}) },
      `${req.id}:result`,
    );
    deps.hooks?.action?.(req.action, result.ok ? 'executed' : 'failed');
  }

  /** Verify and complete when the verify window (or the watch window) is over. */
  async function finishIfDue(s: WatchState, bundle: SignalBundle, t: number, policy: Policy): Promise<DeploymentStatus | undefined> {
    const unknown = unknownAction(s);
    const executed = unknown ? undefined : executedAction(s);
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
        const verdict = await append('action.rejected', { decisionId: pending.id, reason: `no approval within ${timing.approvalTimeoutSeconds}s after the window` }, `${pending.id}:approval`, t);
        // a person's approval got there first (same dedupe key): act on it at the next tick
        if (verdict.type === 'action.approved') return undefined;
      }
      const last = latestDecision(s);
      const healthy = !last || last.decision.action === 'continue';
      const failed = s.actions.some((a) => a.status === 'failed');
      if (unknown) {
        // no reward: nobody knows what was done, so there is nothing true to learn from
        outcome = {
          recovered: healthy,
          action: unknown.action,
          detail: `the outcome of ${unknown.action} ${unknown.id} is unknown (${unknown.detail ?? 'no evidence'}); ${healthy ? 'the service looked healthy at the end of the window' : 'the service still looked unhealthy'}: a person must check the target`,
        };
        status = 'action_unknown';
      } else {
        outcome = {
          recovered: healthy,
          action: 'continue',
          detail: healthy ? 'healthy through the watch window' : `window ended with '${last?.decision.action}' not carried out`,
          reward: outcomeReward({ action: 'continue', recovered: healthy, minutesWaited: timing.windowSeconds / 60 }),
        };
        status = failed ? 'action_failed' : healthy ? 'healthy' : 'escalated';
      }
      reason = `watch window of ${timing.windowSeconds}s ended`;
    }
    const about = executed ?? unknown;
    const ev = await append('outcome.verified', { ...(about ? { actionId: about.id } : {}), outcome }, 'outcome', t);
    const decision = executed ? s.decisions.find((d) => d.id === executed.decisionId) : latestDecision(s);
    try {
      // Learning must never break the loop: an error here is reported, the watch completes.
      if (!unknown) await deps.hooks?.outcome?.({ deployment, outcome: ev.payload.outcome as Outcome, ...(decision ? { decision } : {}) });
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
      // an action of unknown outcome may have happened: it counts for the cooldown
      if ((e.type === 'action.executed' || e.type === 'action.unknown') && (last === undefined || e.at > last)) last = e.at;
    }
  }
  return last;
}

/** Ask every source; a failing or slow source becomes a `problem`, never "unhealthy". */
async function collect(deps: WatchDeps, query: SignalQuery): Promise<SignalBundle> {
  // metric names come from the sources: no prototype, so 'constructor' is a series like any other
  const out: SignalBundle = { metrics: dict(), logs: [], spans: [], limits: {}, problems: [] };
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
