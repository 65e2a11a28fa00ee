// Webhook actuator: asks another system to act by POSTing a signed JSON body.
// - `X-Commander-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` (GitHub's scheme, so
//   receivers can reuse their verification code), keyed with the configured secret;
// - `Idempotency-Key: <action id>` is the same on every retry of one action, also when the action
//   is resumed by another process after a crash, so a receiver that got the first attempt but
//   whose answer was lost does not act twice (the receiver's side of this contract is written
//   down in examples/README.md);
// - an accepted answer is noted in the store (`webhook:<action id>`), so a resumed action whose
//   answer arrived before the crash is not even sent again;
// - retries with exponential backoff on network errors, timeouts, 429 and 5xx (Retry-After is
//   honoured up to the backoff cap); other 4xx are final: retrying a refusal changes nothing.
import { createHmac } from 'node:crypto';
import type { ActionCheck, ActionContext, ActionRequest, ActionResult, Actuator } from '../core/types.js';

export interface WebhookTargetOptions {
  url: string;
  /** HMAC key; without one the body is sent unsigned */
  secret?: string;
  /** attempts in all, first included; default 4 */
  attempts?: number;
  /** first backoff; doubles each retry; default 500 ms */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** per attempt; default 10 s */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export const SIGNATURE_HEADER = 'x-commander-signature-256';

const acceptedKey = (actionId: string) => `webhook:${actionId}`;

export function signBody(secret: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

export interface PostOutcome {
  ok: boolean;
  status?: number;
  attempts: number;
  error?: string;
  responseText?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return s * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/** POSTs `payload` as signed JSON with retries; never throws. */
export async function postSignedJson(
  url: string,
  payload: unknown,
  opts: Omit<WebhookTargetOptions, 'url'> & { idempotencyKey: string },
): Promise<PostOutcome> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    ...(opts.headers ?? {}),
    'content-type': 'application/json',
    'idempotency-key': opts.idempotencyKey,
    'user-agent': 'devops-commander',
  };
  if (opts.secret) headers[SIGNATURE_HEADER] = signBody(opts.secret, body);
  const attempts = Math.max(1, opts.attempts ?? 4);
  const cap = opts.maxBackoffMs ?? 30_000;
  let last: PostOutcome = { ok: false, attempts: 0 };
  for (let i = 1; i <= attempts; i++) {
    let wait = Math.min(cap, (opts.backoffMs ?? 500) * 2 ** (i - 1));
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
      const text = (await res.text()).slice(0, 2000);
      if (res.ok) return { ok: true, status: res.status, attempts: i, responseText: text };
      last = { ok: false, status: res.status, attempts: i, error: `HTTP ${res.status}`, responseText: text };
      if (res.status !== 429 && res.status < 500) return last;
      const ra = retryAfterMs(res.headers.get('retry-after'));
      if (ra !== undefined) wait = Math.min(cap, ra);
    } catch (e) {
      last = { ok: false, attempts: i, error: (e as Error).name === 'TimeoutError' ? 'timed out' : String((e as Error).cause ?? (e as Error).message) };
    }
    if (i < attempts) await sleep(wait);
  }
  return last;
}

export class WebhookActuator implements Actuator {
  readonly name = 'webhook';
  constructor(private readonly opts: WebhookTargetOptions) {
    const u = new URL(opts.url); // throws on a malformed URL at startup, not at action time
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`webhook url must be http(s): ${opts.url}`);
  }

  async execute(req: ActionRequest, ctx?: ActionContext): Promise<ActionResult> {
    const accepted = await ctx?.journal.get<ActionResult>(acceptedKey(req.id));
    if (accepted) return { ...accepted, detail: `${accepted.detail} (already accepted for ${req.id}: not sent again)` };
    const d = req.deployment;
    const payload = {
      id: req.id,
      action: req.action,
      reason: req.reason,
      deployment: { id: d.id, service: d.service, environment: d.environment, version: d.version, previousVersion: d.previousVersion, commit: d.commit },
    };
    const r = await postSignedJson(this.opts.url, payload, { ...this.opts, idempotencyKey: req.id });
    const changes = { url: this.opts.url, status: r.status, attempts: r.attempts, response: r.responseText };
    if (r.ok) {
      const result = { ok: true, detail: `webhook accepted ${req.action} (HTTP ${r.status}) after ${r.attempts} attempt(s)`, changes };
      await ctx?.journal.set(acceptedKey(req.id), result);
      return result;
    }
    return { ok: false, detail: `webhook ${req.action} failed after ${r.attempts} attempt(s): ${r.error ?? 'unknown error'}`, changes };
  }

  /** Accepted before (noted in the store): done. Otherwise sending it again is safe: the receiver deduplicates on the Idempotency-Key. */
  async check(req: ActionRequest, ctx?: ActionContext): Promise<ActionCheck> {
    const accepted = await ctx?.journal.get<ActionResult>(acceptedKey(req.id));
    if (accepted) return { state: 'done', result: accepted };
    return { state: 'not_done', evidence: `no accepted answer on record; sent again with the same Idempotency-Key ${req.id}, which receivers deduplicate` };
  }
}

export function createWebhookActuator(opts: WebhookTargetOptions): Actuator {
  return new WebhookActuator(opts);
}
