import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { narrate, uncheckedClaims, narratorConfigFromEnv } from '../../src/summary/llm-narrator.js';
import { summarize } from '../../src/summary/summarize.js';
import type { Analysis } from '../../src/core/types.js';
import { startFakeChat, type FakeChat } from '../fakes/openai-chat.js';

// A local fake of the OpenAI chat-completions API (test/fakes/openai-chat.ts): checks the key,
// records requests, answers with whatever the test queued, can delay or fail.
let chat: FakeChat;
let base = '';
beforeAll(async () => {
  chat = await startFakeChat({ apiKey: 'k1' });
  base = chat.url;
});
afterAll(() => chat.close());
const lastRequest = () => chat.requests[chat.requests.length - 1];

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
    chat.queue.push({ content: 'After v2.15.0 the error rate of checkout rose to 7.1% from 0.2%.' });
    const s = await narrate(analysis, dep, fallback, { config: config() });
    expect(s.author).toBe('llm:fake-model');
    expect(s.text).toContain('7.1%');
    expect(s.lines).toEqual(fallback.lines);
    const req = lastRequest();
    expect(req.authorization).toBe('Bearer k1');
    expect(req.body.model).toBe('fake-model');
    expect(req.body.messages[1].content).toContain('[metric_shift:error_rate]');
  });
  it('rejects invented numbers or names and falls back', async () => {
    chat.queue.push({ content: 'Error rate rose to 9.5% because of the redis-cluster migration.' });
    const s = await narrate(analysis, dep, fallback, { config: config() });
    expect(s.author).toBe('deterministic');
    expect(s.narratorError).toMatch(/9\.5/);
    expect(uncheckedClaims('rose to 7.1% after v2.15.0', ['Error rate 7.1%', 'version v2.15.0'])).toEqual([]);
    expect(uncheckedClaims('caused by `payments-db`', ['Error rate 7.1%'])).toEqual(['payments-db']);
  });
  it('falls back on HTTP errors and timeouts', async () => {
    chat.queue.push({ status: 500 });
    expect((await narrate(analysis, dep, fallback, { config: config() })).narratorError).toBe('HTTP 500');
    chat.queue.push({ content: 'Error rate 7.1%.', delayMs: 1500 });
    const s = await narrate(analysis, dep, fallback, { config: config(200) });
    expect(s.narratorError).toBe('timeout');
    expect(s.text).toBe(fallback.text);
  });
  it('falls back when the endpoint refuses the key', async () => {
    const s = await narrate(analysis, dep, fallback, { config: { ...config(), apiKey: 'wrong' } });
    expect(s).toMatchObject({ author: 'deterministic', narratorError: 'HTTP 401', text: fallback.text });
  });
  it('is off unless configured', async () => {
    expect(narratorConfigFromEnv({})).toBeUndefined();
    expect(narratorConfigFromEnv({ COMMANDER_LLM_URL: 'http://x', COMMANDER_LLM_MODEL: 'm' })?.timeoutMs).toBe(8000);
    expect(await narrate(analysis, dep, fallback, { config: undefined, fetchImpl: () => Promise.reject(new Error('no')) })).toBe(fallback);
  });
});
