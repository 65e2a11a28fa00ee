// Slack incoming-webhook notifier (Block Kit): title, summary, decision, confidence, guard mode,
// reasons, and Approve / Reject / Open link buttons while a decision awaits approval.
// Incoming webhooks cannot receive button clicks, so the buttons are links to the dashboard,
// where the person approves with their own token. Sent at most once per (decision, stage).
import { noticeTitle, once, memorySentLog, type DecisionNotice, type Notifier, type NotifyResult, type SentLog } from '../core/notify.js';
import { postJson } from './http.js';

export interface SlackOptions {
  /** channel name (config `notifications.slack[].name`); default 'slack' */
  name?: string;
  /** https://hooks.slack.com/services/… */
  webhookUrl: string;
  /** which stages to post; default all */
  stages?: Array<DecisionNotice['stage']>;
  sentLog?: SentLog;
  attempts?: number;
  backoffMs?: number;
}

// Block Kit limits (api.slack.com/reference/block-kit): header text 150, section text 3000,
// context elements 10, button text 75, url 3000.
const cut = (s: string, n: number) => (s.length <= n ? s : s.slice(0, n - 1) + '…');
/** mrkdwn needs &, < and > escaped, or a payload could inject links/mentions. */
export const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackMessage(n: DecisionNotice): { text: string; blocks: unknown[] } {
  const d = n.deployment;
  const pct = `${Math.round(n.decision.confidence * 100)}%`;
  const title = noticeTitle(n);
  const mode: Record<string, string> = { execute: 'acting automatically', await_approval: 'awaiting approval', dry_run: 'dry run (nothing done)', record_only: 'recorded only' };
  const fields = [
    ['Decision', n.decision.action],
    ['Confidence', pct],
    ['Mode', mode[n.guard.mode] ?? n.guard.mode],
    ['Version', `${d.version}${d.previousVersion ? ` (was ${d.previousVersion})` : ''}`],
  ].map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${escapeMrkdwn(v)}` }));
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(escapeMrkdwn(n.summary || '(no summary)'), 3000) }, fields },
  ];
  if (n.stage === 'action' && n.actionResult) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*Action*: ${escapeMrkdwn(n.actionResult.detail)}`, 3000) } });
  if (n.stage === 'outcome' && n.outcome) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*Outcome*: ${escapeMrkdwn(n.outcome.detail)}`, 3000) } });
  const reasons = n.decision.reasons.slice(0, 9).map((r) => ({ type: 'mrkdwn', text: cut(`• ${escapeMrkdwn(r)}`, 2000) }));
  if (reasons.length) blocks.push({ type: 'context', elements: reasons });
  const buttons: unknown[] = [];
  const l = n.links ?? {};
  if (n.guard.mode === 'await_approval' && n.stage === 'decision') {
    if (l.approve) buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Approve' }, style: 'primary', url: l.approve, action_id: 'approve' });
    if (l.reject) buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Reject' }, style: 'danger', url: l.reject, action_id: 'reject' });
  }
  if (l.detail) buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Open in Commander' }, url: l.detail, action_id: 'open' });
  if (buttons.length) blocks.push({ type: 'actions', block_id: `decision-${n.decisionId}`.slice(0, 255), elements: buttons });
  // `text` is the notification/fallback line
  return { text: cut(`${title}: ${n.summary}`, 3000), blocks };
}

export class SlackNotifier implements Notifier {
  readonly name: string;
  private readonly send: (n: DecisionNotice) => Promise<NotifyResult>;
  constructor(private readonly opts: SlackOptions) {
    this.name = opts.name ?? 'slack';
    if (!/^https?:\/\//.test(opts.webhookUrl)) throw new Error('slack.webhookUrl must be an http(s) URL');
    this.send = once(this.name, opts.sentLog ?? memorySentLog(), async (n) => {
      const r = await postJson(opts.webhookUrl, slackMessage(n), { attempts: opts.attempts, backoffMs: opts.backoffMs });
      return { channel: this.name, ok: r.ok, detail: r.ok ? `posted to Slack (${r.attempts} attempt(s))` : `Slack refused: ${r.error}` };
    });
  }
  async notify(n: DecisionNotice): Promise<NotifyResult> {
    if (this.opts.stages && !this.opts.stages.includes(n.stage)) return { channel: this.name, ok: true, detail: `stage ${n.stage} not configured for Slack` };
    return this.send(n);
  }
}
