// Builds the notifiers the config asks for and turns timeline events into notices:
// `decision.made` (not for `continue`), `action.executed` / `action.failed` / `action.unknown` and
// `outcome.verified` each become one DecisionNotice, sent to the channels the service allows,
// and every send is recorded as a `notification.sent` event. Subscribe `dispatchNotifications`
// to the event bus; duplicates (replays, resumed watches) are dropped by each notifier's SentLog.
import type { Store } from '../core/store.js';
import type { TimelineEvent } from '../core/timeline.js';
import type { Decision, Deployment, GuardVerdict, Outcome } from '../core/types.js';
import { notifyAll, type DecisionNotice, type Notifier, type NotifyResult, type SentLog } from '../core/notify.js';
import { resolveSecret } from '../config/integrations.js';
import type { Config } from '../config/schema.js';
import { SlackNotifier } from './slack.js';
import { WebhookNotifier } from './webhook.js';
import { GithubStatusNotifier, type GithubDeploymentRef } from './github-status.js';

export interface NotifierDeps {
  sentLog: SentLog;
  /** the GitHub deployment a commander deployment came from (github-routes stores it) */
  githubLookup: (deploymentId: string) => Promise<GithubDeploymentRef | undefined>;
  env?: NodeJS.ProcessEnv;
}

export function notifiersFromConfig(n: Config['notifications'], deps: NotifierDeps): Notifier[] {
  const env = deps.env ?? process.env;
  const out: Notifier[] = [];
  n.slack.forEach((s, i) => {
    const url = resolveSecret(s.webhookUrl, env, `notifications.slack[${i}].webhookUrl`)!;
    // the channel keeps its config name so services can pick it (`services.x.notify`)
    out.push(new SlackNotifier({ name: s.name, webhookUrl: url, stages: s.stages, sentLog: deps.sentLog }));
  });
  n.webhooks.forEach((w, i) =>
    out.push(new WebhookNotifier({ name: w.name, url: w.url, secret: resolveSecret(w.secret, env, `notifications.webhooks[${i}].secret`), stages: w.stages, sentLog: deps.sentLog })),
  );
  if (n.githubStatus)
    out.push(new GithubStatusNotifier({ token: resolveSecret(n.githubStatus.token, env, 'notifications.githubStatus.token')!, apiUrl: n.githubStatus.apiUrl, lookup: deps.githubLookup, sentLog: deps.sentLog }));
  return out;
}

/** Dashboard links for a decision (the dashboard's hash routes). */
export function noticeLinks(baseUrl: string | undefined, deploymentId: string, decisionId: string): DecisionNotice['links'] {
  if (!baseUrl) return {};
  const base = `${baseUrl.replace(/\/+$/, '')}/#/deployments/${encodeURIComponent(deploymentId)}`;
  const d = encodeURIComponent(decisionId);
  return { detail: base, approve: `${base}?decision=${d}&intent=approve`, reject: `${base}?decision=${d}&intent=reject` };
}

type P = Record<string, unknown>;

/** The notice a timeline event calls for, if any. `events` is the deployment's timeline so far. */
export function noticeFromEvent(e: TimelineEvent, deployment: Deployment, events: readonly TimelineEvent[], baseUrl?: string): DecisionNotice | undefined {
  const p = e.payload as P;
  const decisions = events.filter((x) => x.type === 'decision.made');
  const decisionById = (id: unknown) => decisions.find((x) => (x.payload as P).decisionId === id);
  const headline = (d?: TimelineEvent) => {
    const summary = [...events].reverse().find((x) => x.type === 'summary.written' && x.seq <= e.seq);
    return String((d?.payload as P | undefined)?.headline ?? ((summary?.payload as P | undefined)?.summary as { headline?: string } | undefined)?.headline ?? '');
  };
  const base = (d: TimelineEvent, stage: DecisionNotice['stage']): DecisionNotice => {
    const dp = d.payload as P;
    const decision = dp.decision as Decision;
    return {
      decisionId: String(dp.decisionId),
      stage,
      deployment,
      decision: { action: decision.action, confidence: decision.confidence, reasons: decision.reasons ?? [] },
      summary: headline(d),
      guard: dp.guard as GuardVerdict,
      links: noticeLinks(baseUrl, deployment.id, String(dp.decisionId)),
    };
  };
  if (e.type === 'decision.made') {
    if ((p.decision as Decision | undefined)?.action === 'continue') return undefined;
    return base(e, 'decision');
  }
  if (e.type === 'action.executed' || e.type === 'action.failed') {
    const d = decisionById(p.decisionId);
    if (!d) return undefined;
    return { ...base(d, 'action'), actionResult: { ok: e.type === 'action.executed', detail: String(p.detail ?? '') } };
  }
  if (e.type === 'action.unknown') {
    // the escalation to a person: what was requested, and the evidence of what may have happened
    const d = decisionById(p.decisionId);
    if (!d) return undefined;
    return { ...base(d, 'action'), actionResult: { ok: false, unknown: true, detail: `not repeated after a restart, outcome unknown: ${String(p.evidence ?? '')}` } };
  }
  if (e.type === 'outcome.verified') {
    const outcome = p.outcome as Outcome;
    const acted = p.actionId ? events.find((x) => (x.type === 'action.executed' || x.type === 'action.failed' || x.type === 'action.unknown') && (x.payload as P).actionId === p.actionId) : undefined;
    const d = (acted ? decisionById((acted.payload as P).decisionId) : undefined) ?? decisions[decisions.length - 1];
    if (d) return { ...base(d, 'outcome'), outcome };
    return {
      decisionId: `${deployment.id}-outcome`,
      stage: 'outcome',
      deployment,
      decision: { action: 'continue', confidence: 1, reasons: [] },
      summary: headline(),
      guard: { mode: 'record_only', reason: 'no action was needed' },
      outcome,
      links: noticeLinks(baseUrl, deployment.id, `${deployment.id}-outcome`),
    };
  }
  return undefined;
}

export interface DispatchDeps {
  notifiers: readonly Notifier[];
  store: Pick<Store, 'getDeployment' | 'events' | 'append'>;
  now: () => number;
  baseUrl?: string;
  /** channel names a service allows (config `services.<name>.notify`); undefined = all */
  channelsFor?: (service: string) => string[] | undefined;
}

const NOTIFY_TYPES = new Set(['decision.made', 'action.executed', 'action.failed', 'action.unknown', 'outcome.verified']);

/** Sends the notices an appended event calls for and records each send on the timeline. */
export async function dispatchNotifications(e: TimelineEvent, deps: DispatchDeps): Promise<NotifyResult[]> {
  if (!NOTIFY_TYPES.has(e.type) || !e.deploymentId || deps.notifiers.length === 0) return [];
  const deployment = await deps.store.getDeployment(e.deploymentId);
  if (!deployment) return [];
  const notice = noticeFromEvent(e, deployment, await deps.store.events(e.deploymentId), deps.baseUrl);
  if (!notice) return [];
  const allowed = deps.channelsFor?.(deployment.service);
  // GitHub statuses belong to the deployment, not to a chat channel: always written when configured
  const targets = deps.notifiers.filter((n) => !allowed || n.name === 'github' || allowed.includes(n.name));
  const results = await notifyAll(targets, notice);
  for (const r of results) {
    if (r.duplicate) continue;
    await deps.store.append({
      deploymentId: deployment.id,
      type: 'notification.sent',
      at: deps.now(),
      actor: 'system',
      payload: { channel: r.channel, ok: r.ok, detail: r.detail, decisionId: notice.decisionId, stage: notice.stage },
      ...(r.ok ? { dedupeKey: `notify:${r.channel}:${notice.decisionId}:${notice.stage}` } : {}),
    });
  }
  return results;
}
