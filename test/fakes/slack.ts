// A local fake of a Slack incoming webhook. It answers like Slack does (200 "ok"; 400
// "invalid_payload" / "invalid_blocks"; 404 "no_service" for an unknown hook path) and checks the
// Block Kit rules our messages depend on (block and text object types, documented length limits),
// so a malformed message fails here as it would in Slack. `failFirst` makes the first N posts 500.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlack {
  url: string;
  messages: Array<{ text?: string; blocks?: Array<Record<string, unknown>> }>;
  attempts: number;
  close(): Promise<void>;
}

type Block = Record<string, unknown>;
const text = (t: unknown, types: string[], max: number): string | undefined => {
  const o = t as { type?: string; text?: unknown };
  if (!o || !types.includes(String(o.type))) return `text type must be ${types.join('|')}`;
  if (typeof o.text !== 'string' || o.text.length === 0 || o.text.length > max) return `text must be 1-${max} chars`;
  return undefined;
};

export function validateBlocks(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks) || blocks.length > 50) return 'blocks must be an array of at most 50';
  for (const b of blocks as Block[]) {
    switch (b.type) {
      case 'header': {
        const e = text(b.text, ['plain_text'], 150);
        if (e) return `header: ${e}`;
        break;
      }
      case 'section': {
        if (b.text) {
          const e = text(b.text, ['mrkdwn', 'plain_text'], 3000);
          if (e) return `section: ${e}`;
        }
        const f = (b.fields ?? []) as unknown[];
        if (!b.text && f.length === 0) return 'section needs text or fields';
        if (f.length > 10) return 'section: at most 10 fields';
        for (const x of f) {
          const e = text(x, ['mrkdwn', 'plain_text'], 2000);
          if (e) return `section field: ${e}`;
        }
        break;
      }
      case 'context': {
        const el = b.elements as unknown[];
        if (!Array.isArray(el) || el.length === 0 || el.length > 10) return 'context: 1-10 elements';
        for (const x of el) {
          const e = text(x, ['mrkdwn', 'plain_text'], 2000);
          if (e) return `context: ${e}`;
        }
        break;
      }
      case 'actions': {
        const el = b.elements as Block[];
        if (!Array.isArray(el) || el.length === 0 || el.length > 25) return 'actions: 1-25 elements';
        for (const x of el) {
          if (x.type !== 'button') return 'actions: only buttons are used';
          const e = text(x.text, ['plain_text'], 75);
          if (e) return `button: ${e}`;
          if (x.url !== undefined && (typeof x.url !== 'string' || x.url.length > 3000 || !/^https?:\/\//.test(x.url))) return 'button: bad url';
          if (x.style !== undefined && x.style !== 'primary' && x.style !== 'danger') return 'button: bad style';
        }
        break;
      }
      default:
        return `unsupported block type ${String(b.type)}`;
    }
  }
  return undefined;
}

export async function startFakeSlack(opts: { failFirst?: number } = {}): Promise<FakeSlack> {
  const messages: FakeSlack['messages'] = [];
  let attempts = 0;
  let failures = opts.failFirst ?? 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      attempts++;
      if (req.method !== 'POST' || !req.url?.startsWith('/services/T000/B000/')) return void res.writeHead(404).end('no_service');
      if (failures > 0) {
        failures--;
        return void res.writeHead(500).end('internal_error');
      }
      let body: { text?: string; blocks?: Array<Record<string, unknown>> };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return void res.writeHead(400).end('invalid_payload');
      }
      if (!body.text && !body.blocks) return void res.writeHead(400).end('no_text');
      if (body.blocks && validateBlocks(body.blocks)) return void res.writeHead(400).end('invalid_blocks');
      messages.push(body);
      res.writeHead(200, { 'content-type': 'text/html' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXXXXXX`,
    messages,
    get attempts() {
      return attempts;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
