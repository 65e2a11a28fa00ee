// The LLM narrator in the loop, against a local fake of the OpenAI chat-completions API: each
// summary of a watched deployment gets its narration on the timeline (the LLM's text when it
// passed the fact check, the reason otherwise), the decisions never wait for it, and a failing
// or slow endpoint leaves the deterministic text standing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentDetailResponse } from '../../src/core/api.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import type { Analysis, Summary } from '../../src/core/types.js';
import { EventBus, notifyingStore } from '../../src/loop/bus.js';
import { startNarration } from '../../src/loop/narration.js';
import { narrate } from '../../src/summary/llm-narrator.js';
import { summarize } from '../../src/summary/summarize.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { startFakeChat, type FakeChat } from '../fakes/openai-chat.js';
import { demoAppFixture } from './demo-app.js';

let chat: FakeChat;
beforeAll(async () => {
  chat = await startFakeChat({ apiKey: 'sk-test' });
});
afterAll(() => chat.close());

const at = Date.parse('2026-03-02T12:00:00Z');
const deployment = { service: 'checkout', environment: 'production', version: 'v2.15.0', previousVersion: 'v2.14.0', at };
const analysis: Analysis = {
  at: at + 60_000,
  deployAt: at,
  canary: false,
  coverage: {},
  findings: [{ id: 'metric_shift:error_rate', kind: 'metric_shift', subject: 'error_rate', severity: 0.9, direction: 'up', comparison: 'before_after', stats: {}, text: 'Error rate 7.1% vs 0.2% before the deploy (×35)' }],
};

describe('startNarration', () => {
  it('narrates each summary written, records why when it cannot, and keeps to its queue bound', async () => {
    const raw = createSqliteStore(':memory:');
    const bus = new EventBus();
    const store = notifyingStore(raw, bus);
    const config = { url: chat.url, model: 'fake-model', apiKey: 'sk-test', timeoutMs: 300 };
    const narration = startNarration({ bus, store, now: () => at, narrate: (a, d, s) => narrate(a, d, s, { config }), concurrency: 1, maxPending: 3 });
    try {
      const d = await raw.createDeployment(deployment, { id: 'dep1', source: 'api', receivedAt: at, idempotencyKey: 'k' });
      const summary: Summary = summarize(analysis, deployment);
      const tick = async (k: number): Promise<void> => {
        await store.append({ deploymentId: d.deployment.id, type: 'analysis.completed', at: at + k * 15_000, actor: 'system', payload: { tick: k, analysis } });
        await store.append({ deploymentId: d.deployment.id, type: 'summary.written', at: at + k * 15_000, actor: 'deterministic', payload: { tick: k, summary } });
      };
      chat.queue.push({ content: 'The error rate of checkout rose to 7.1% from 0.2% after v2.15.0.' }, { content: 'Error rate rose to 9.5% because of the redis migration.' }, { status: 500 }, { content: 'late', delayMs: 2000 });
      for (let k = 1; k <= 4; k++) await tick(k);
      await narration.idle();
      const narrated = (await raw.events('dep1')).filter((e) => e.type === 'summary.narrated');
      expect(narrated.map((e) => [e.payload.tick, e.payload.grounded, e.payload.error ?? null])).toEqual([
        [1, true, null],
        [2, false, expect.stringMatching(/^rejected: not in the findings: 9\.5/)],
        [3, false, 'HTTP 500'],
        [4, false, 'timeout'],
      ]);
      expect(narrated[0]).toMatchObject({ actor: 'llm:fake-model', payload: { text: 'The error rate of checkout rose to 7.1% from 0.2% after v2.15.0.', author: 'llm:fake-model' } });
      // a failure keeps the deterministic text as the narration's text
      expect(narrated[2].payload.text).toBe(summary.text);
      // the fake was asked with the facts of that tick's analysis
      expect(chat.requests.at(-1)!.body.messages[1].content).toContain('[metric_shift:error_rate] Error rate 7.1%');

      // a burst of summaries while the endpoint is slow (each call times out at 300 ms): past the
      // queue bound the rest is not narrated, and nothing waits for it
      chat.respond = () => ({ content: 'Error rate 7.1%.', delayMs: 1000 });
      for (let k = 5; k <= 12; k++) await tick(k);
      await narration.idle();
      const more = (await raw.events('dep1')).filter((e) => e.type === 'summary.narrated' && (e.payload.tick as number) >= 5);
      expect(more.length).toBeGreaterThanOrEqual(3);
      expect(more.length).toBeLessThanOrEqual(4); // one in flight + 3 waiting
    } finally {
      await narration.stop();
      await raw.close();
    }
  });
});

const fixture = demoAppFixture('narration', {
  watch: { windowSeconds: 240, baselineSeconds: 600, stepSeconds: 15, verifySeconds: 60 },
  demo: { speed: 60, autoDeploy: false },
  llm: { url: 'http://127.0.0.1:1', model: 'fake-model', apiKey: 'sk-test', timeoutMs: 5000 },
});

describe('the narrator in the running service', () => {
  it('puts each summary\'s grounded narration on the timeline; the decisions are made without it', async () => {
    fixture.config.llm!.url = chat.url;
    chat.respond = (messages) => {
      const facts = messages[1].content.split('\n').filter((l) => l.startsWith('['));
      return { content: facts.length ? `${facts[0].replace(/^\[[^\]]*\]\s*/, '')}.` : 'Nothing notable.', delayMs: 50 };
    };
    const app = await fixture.start();
    const res = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'checkout', version: 'v9.0.0-bug', environment: 'staging' }) });
    const { id } = (await res.json()) as { id: string };
    let events: TimelineEvent[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      events = ((await (await fetch(`${app.url}/api/deployments/${id}?series=0`)).json()) as DeploymentDetailResponse).events;
      if (events.some((e) => e.type === 'watch.completed') && events.some((e) => e.type === 'summary.narrated' && e.payload.grounded)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const decided = events.find((e) => e.type === 'decision.made' && (e.payload.decision as { action: string }).action === 'rollback');
    expect(decided).toBeDefined();
    const narrated = events.filter((e) => e.type === 'summary.narrated');
    const grounded = narrated.find((e) => e.payload.grounded);
    expect(grounded).toBeDefined();
    const summaries = new Map(events.filter((e) => e.type === 'summary.written').map((e) => [e.payload.tick, e]));
    // it restates the summary of its own tick, and only what the analysis found
    const own = summaries.get(grounded!.payload.tick)!;
    expect((own.payload.summary as Summary).lines.map((l) => l.text)).toContain(String(grounded!.payload.text).replace(/\.$/, ''));
    // every narration belongs to a summary; the summary itself stays the deterministic one
    for (const n of narrated) expect(summaries.has(n.payload.tick)).toBe(true);
    expect([...summaries.values()].every((e) => (e.payload.summary as Summary).author === 'deterministic')).toBe(true);
    expect(chat.requests.every((r) => r.authorization === 'Bearer sk-test' && r.body.model === 'fake-model')).toBe(true);
  });
});
