// A local fake of the OpenAI chat-completions API (POST /v1/chat/completions), as OpenAI,
// Ollama, vLLM and llama.cpp's server answer it: a bearer key checked when configured (401 with
// an `invalid_api_key` error object otherwise), the request validated (model, messages with a
// known role and string content; 400 `invalid_request_error` naming the param), and a
// `chat.completion` object with choices, finish_reason and usage. What the model says comes from
// a queue of scripted answers, else from `respond(messages)`; an answer can be delayed or fail.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ScriptedAnswer {
  content?: string;
  status?: number;
  delayMs?: number;
}

export interface FakeChat {
  url: string;
  /** requests received, in order */
  requests: Array<{ authorization?: string; body: { model: string; messages: ChatMessage[]; temperature?: number; max_tokens?: number } }>;
  /** answers used before `respond`, first in first out */
  queue: ScriptedAnswer[];
  /** the default answer (default: restate the first fact line of the user message) */
  respond: (messages: ChatMessage[]) => ScriptedAnswer;
  close(): Promise<void>;
}

const ROLES = new Set(['system', 'user', 'assistant', 'developer', 'tool']);

/** Restates the first finding of the fact sheet the narrator sends (lines like "[id] text"). */
export function restateFirstFinding(messages: ChatMessage[]): ScriptedAnswer {
  const user = messages.find((m) => m.role === 'user')?.content ?? '';
  const fact = user.split('\n').find((l) => l.startsWith('['));
  return { content: fact ? `${fact.replace(/^\[[^\]]*\]\s*/, '')}.` : 'Nothing notable.' };
}

function error(res: import('node:http').ServerResponse, status: number, message: string, type: string, code: string | null, param: string | null = null): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type, param, code } }));
}

export async function startFakeChat(opts: { apiKey?: string } = {}): Promise<FakeChat> {
  let n = 0;
  const fake: Omit<FakeChat, 'url' | 'close'> = { requests: [], queue: [], respond: restateFirstFinding };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions') return error(res, 404, `Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error', 'unknown_url');
      if (req.method !== 'POST') return error(res, 405, 'Method not allowed', 'invalid_request_error', null);
      if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`)
        return error(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
      let body: FakeChat['requests'][number]['body'];
      try {
        body = JSON.parse(raw);
      } catch {
        return error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error', null);
      }
      if (typeof body?.model !== 'string' || !body.model) return error(res, 400, "you must provide a model parameter", 'invalid_request_error', null, 'model');
      if (!Array.isArray(body.messages) || body.messages.length === 0) return error(res, 400, "'messages' must be a non-empty array", 'invalid_request_error', null, 'messages');
      for (const [i, m] of body.messages.entries()) {
        if (!ROLES.has(m?.role) || typeof m?.content !== 'string') return error(res, 400, `Invalid value for 'messages[${i}]'`, 'invalid_request_error', null, `messages[${i}]`);
      }
      fake.requests.push({ authorization: req.headers.authorization, body });
      const answer = fake.queue.shift() ?? fake.respond(body.messages);
      setTimeout(() => {
        if (res.destroyed) return;
        if (answer.status && answer.status !== 200) return error(res, answer.status, 'The server had an error while processing your request.', 'server_error', null);
        const content = answer.content ?? '';
        const promptTokens = Math.ceil(body.messages.reduce((s, m) => s + m.content.length, 0) / 4);
        const completionTokens = Math.ceil(content.length / 4);
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: `chatcmpl-fake${++n}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
            usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
          }),
        );
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(fake, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  }) as FakeChat;
}
