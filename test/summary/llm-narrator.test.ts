import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { narrate, uncheckedClaims, narratorConfigFromEnv } from '../../src/summary/llm-narrator.js';
import { summarize } from '../../src/summary/summarize.js';
import type { Analysis } from '../../src/core/types.js';

// A faithful local fake of the OpenAI chat-completions API: records requests, answers with
// whatever the test queued, can delay or fail.
let server: Server;
let base = '';
const queue: Array<{ status?: number; content?: string; delayMs?: number }> = [];
const seen: Array<{ auth?: string; body: { model: string; messages: Array<{ role: string; content: string }> } }> = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
      seen.push({ auth: req.headers.authorization, body: JSON.parse(raw) });
      const next = queue.shift() ?? { content: '' };
      setTimeout(() => {
        if (next.status && next.status !== 200) return void res.writeHead(next.status, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: 'fake', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: next.content } }] }),
        );
      }, next.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const dep = { service: 'checkout', environment: 'production', version: 'v2.15.0', previousVersion: 'v2.14.0', at: 0 };
const analysis: Analysis = {
  at: 1, deployAt: 0, canary: false, coverage: {},
  findings: [{ id: 'metric_shift:error_rate', kind: 'metric_shift', subject: 'error_rate', severity: 0.9, direction: 'up', comparison: 'before_after', stats: {}, text: 'Error rate 7.1% vs 0.2% before the deploy (×35)' }],
};
const fallback = summarize(analysis, dep);
// generous timeout: the CI machine may be busy; the timeout case sets its own short one
const config = (timeoutMs = 10_000) => ({ url: base, model: 'fake-model', apiKey: 'k1', timeoutMs });

describe('llm narrator', () => {
  it('uses a narrative that only restates the findings', async () => {
    queue.push({ content: 'After v2.15.0 the error rate of checkout rose to 7.1% from 0.2%.' });
    const s = await narrate(analysis, dep, fallback, { config: config() });
    expect(s.author).toBe('llm:fake-model');
    expect(s.text).toContain('7.1%');
    expect(s.lines).toEqual(fallback.lines);
    const req = seen[seen.length - 1];
    expect(req.auth).toBe('Bearer k1');
    expect(req.body.model).toBe('fake-model');
    expect(req.body.messages[1].content).toContain('[metric_shift:error_rate]');
  });
  it('rejects invented numbers or names and falls back', async () => {
    queue.push({ content: 'Error rate rose to 9.5% because of the redis-cluster migration.' });
    const s = await narrate(analysis, dep, fallback, { config: config() });
    expect(s.author).toBe('deterministic');
    expect(s.narratorError).toMatch(/9\.5/);
    expect(uncheckedClaims('rose to 7.1% after v2.15.0', ['Error rate 7.1%', 'version v2.15.0'])).toEqual([]);
    expect(uncheckedClaims('caused by `payments-db`', ['Error rate 7.1%'])).toEqual(['payments-db']);
  });
  it('falls back on HTTP errors and timeouts', async () => {
    queue.push({ status: 500 });
    expect((await narrate(analysis, dep, fallback, { config: config() })).narratorError).toBe('HTTP 500');
    queue.push({ content: 'Error rate 7.1%.', delayMs: 1500 });
    const s = await narrate(analysis, dep, fallback, { config: config(200) });
    expect(s.narratorError).toBe('timeout');
    expect(s.text).toBe(fallback.text);
  });
  it('is off unless configured', async () => {
    expect(narratorConfigFromEnv({})).toBeUndefined();
    expect(narratorConfigFromEnv({ COMMANDER_LLM_URL: 'http://x', COMMANDER_LLM_MODEL: 'm' })?.timeoutMs).toBe(8000);
    expect(await narrate(analysis, dep, fallback, { config: undefined, fetchImpl: () => Promise.reject(new Error('no')) })).toBe(fallback);
  });
});
