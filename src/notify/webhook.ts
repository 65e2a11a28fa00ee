// Generic webhook notifier: the notice as signed JSON (X-Commander-Signature-256, HMAC-SHA256 of
// the raw body) with Idempotency-Key = decision id + stage, so a receiver can drop repeats too.
import { once, memorySentLog, noticeKey, noticeTitle, type DecisionNotice, type Notifier, type NotifyResult, type SentLog } from '../core/notify.js';
import { postJson } from './http.js';

export interface WebhookNotifierOptions {
  url: string;
  secret?: string;
  stages?: Array<DecisionNotice['stage']>;
  sentLog?: SentLog;
  attempts?: number;
  backoffMs?: number;
}

export function webhookBody(n: DecisionNotice) {
  const d = n.deployment;
  return {
    type: `commander.${n.stage}`,
    title: noticeTitle(n),
    decisionId: n.decisionId,
    deployment: { id: d.id, service: d.service, environment: d.environment, version: d.version, previousVersion: d.previousVersion, status: d.status },
    decision: n.decision,
    summary: n.summary,
    guard: n.guard,
    ...(n.actionResult ? { actionResult: n.actionResult } : {}),
    ...(n.outcome ? { outcome: n.outcome } : {}),
    links: n.links ?? {},
  };
}

export class WebhookNotifier implements Notifier {
  readonly name: string;
  private readonly send: (n: DecisionNotice) => Promise<NotifyResult>;
  constructor(private readonly opts: WebhookNotifierOptions & { name?: string }) {
    this.name = opts.name ?? 'webhook';
    if (!/^https?:\/\//.test(opts.url)) throw new Error(`${this.name}.url must be an http(s) URL`);
    this.send = once(this.name, opts.sentLog ?? memorySentLog(), async (n) => {
      const r = await postJson(opts.url, webhookBody(n), {
        secret: opts.secret,
        headers: { 'idempotency-key': noticeKey('commander', n) },
        attempts: opts.attempts,
        backoffMs: opts.backoffMs,
      });
      return { channel: this.name, ok: r.ok, detail: r.ok ? `delivered (HTTP ${r.status})` : `webhook failed after ${r.attempts} attempt(s): ${r.error}` };
    });
  }
  async notify(n: DecisionNotice): Promise<NotifyResult> {
    if (this.opts.stages && !this.opts.stages.includes(n.stage)) return { channel: this.name, ok: true, detail: `stage ${n.stage} not configured` };
    return this.send(n);
  }
}
