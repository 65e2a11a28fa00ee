// JSON POST with retries for the notifiers (network errors, 429 and 5xx are retried with
// exponential backoff; other answers are final). Kept here rather than shared with
// actions/webhook.ts because adapter folders import only from core.
import { createHmac } from 'node:crypto';

export interface PostOptions {
  headers?: Record<string, string>;
  /** HMAC-SHA256 key: adds `X-Commander-Signature-256: sha256=<hex>` over the raw body */
  secret?: string;
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
}

export interface PostResult {
  ok: boolean;
  status?: number;
  attempts: number;
  text?: string;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function postJson(url: string, payload: unknown, opts: PostOptions = {}): Promise<PostResult> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { ...(opts.headers ?? {}), 'content-type': 'application/json', 'user-agent': 'devops-commander' };
  if (opts.secret) headers['x-commander-signature-256'] = 'sha256=' + createHmac('sha256', opts.secret).update(body).digest('hex');
  const attempts = Math.max(1, opts.attempts ?? 3);
  let last: PostResult = { ok: false, attempts: 0 };
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
      const text = (await res.text()).slice(0, 2000);
      if (res.ok) return { ok: true, status: res.status, attempts: i, text };
      last = { ok: false, status: res.status, attempts: i, text, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
      if (res.status !== 429 && res.status < 500) return last;
    } catch (e) {
      last = { ok: false, attempts: i, error: (e as Error).name === 'TimeoutError' ? 'timed out' : String((e as Error).cause ?? (e as Error).message) };
    }
    if (i < attempts) await sleep((opts.backoffMs ?? 500) * 2 ** (i - 1));
  }
  return last;
}
