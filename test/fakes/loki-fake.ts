// A local fake of Grafana Loki's HTTP API, built from its documented shapes
// (https://grafana.com/docs/loki/latest/reference/loki-http-api/): POST /loki/api/v1/push
// (JSON streams), GET /loki/api/v1/query_range for log queries: a stream selector with
// =, !=, =~, !~ matchers and line filters |=, !=, |~, !~; start/end in ns (end exclusive),
// limit (default 100), direction forward|backward (default backward); the response
// {status:"success", data:{resultType:"streams", result:[{stream, values:[["<ns>", line]]}], stats}}.
// Errors are HTTP 400 with a plain-text body, as Loki returns for parse errors. Metric queries
// (rate(...)) and pipelines beyond line filters answer 400 "not supported by the fake".
import { createServer, type Server } from 'node:http';

interface Entry {
  ns: bigint;
  line: string;
}
interface Stream {
  labels: Record<string, string>;
  entries: Entry[];
}
type Matcher = { key: string; op: '=' | '!=' | '=~' | '!~'; value: string };
type LineFilter = { op: '|=' | '!=' | '|~' | '!~'; value: string };

export class LokiFake {
  readonly streams: Stream[] = [];
  readonly requests: URL[] = [];
  private server?: Server;
  url = '';

  push(labels: Record<string, string>, entries: Array<[ms: number, line: string]>): void {
    const key = JSON.stringify(Object.entries(labels).sort());
    let s = this.streams.find((x) => JSON.stringify(Object.entries(x.labels).sort()) === key);
    if (!s) this.streams.push((s = { labels, entries: [] }));
    for (const [ms, line] of entries) s.entries.push({ ns: BigInt(ms) * 1_000_000n, line });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push(url);
      const text = (code: number, body: string): void => {
        res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(body);
      };
      if (req.method === 'POST' && url.pathname === '/loki/api/v1/push') {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          try {
            const p = JSON.parse(body) as { streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
            for (const s of p.streams) this.push(s.stream, s.values.map(([ns, l]) => [Number(BigInt(ns) / 1_000_000n), l]));
            res.writeHead(204).end();
          } catch (e) {
            text(400, `loghttp.ParsePushRequest: ${(e as Error).message}`);
          }
        });
        return;
      }
      if (req.method !== 'GET' || url.pathname !== '/loki/api/v1/query_range') return text(404, '404 page not found\n');
      const q = url.searchParams.get('query') ?? '';
      let parsed: { matchers: Matcher[]; filters: LineFilter[] };
      try {
        parsed = parseQuery(q);
      } catch (e) {
        return text(400, (e as Error).message);
      }
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const direction = url.searchParams.get('direction') ?? 'backward';
      const start = parseTime(url.searchParams.get('start'), BigInt(Date.now() - 3600_000) * 1_000_000n);
      const end = parseTime(url.searchParams.get('end'), BigInt(Date.now()) * 1_000_000n);
      if (start === undefined || end === undefined) return text(400, 'invalid parameter: could not parse start/end');
      if (end < start) return text(400, 'end timestamp must not be before or equal to start time');
      // Select entries, order all of them by time in the requested direction, keep `limit`.
      const picked: Array<{ s: Stream; e: Entry }> = [];
      for (const s of this.streams) {
        if (!parsed.matchers.every((m) => matches(m, s.labels[m.key] ?? ''))) continue;
        for (const e of s.entries) {
          if (e.ns < start || e.ns >= end) continue;
          if (!parsed.filters.every((f) => lineMatches(f, e.line))) continue;
          picked.push({ s, e });
        }
      }
      picked.sort((a, b) => (a.e.ns < b.e.ns ? -1 : a.e.ns > b.e.ns ? 1 : 0));
      if (direction === 'backward') picked.reverse();
      const kept = picked.slice(0, limit);
      const byStream = new Map<Stream, Array<[string, string]>>();
      for (const { s, e } of kept) {
        let arr = byStream.get(s);
        if (!arr) byStream.set(s, (arr = []));
        arr.push([e.ns.toString(), e.line]);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'streams',
            result: [...byStream].map(([s, values]) => ({ stream: s.labels, values })),
            stats: { summary: { totalEntriesReturned: kept.length, execTime: 0.001 } },
          },
        }),
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const a = this.server.address();
    this.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

function parseTime(v: string | null, dflt: bigint): bigint | undefined {
  if (v === null) return dflt;
  if (/^\d+$/.test(v)) return v.length > 12 ? BigInt(v) : BigInt(v) * 1_000_000_000n; // ns or s
  if (/^\d+\.\d+$/.test(v)) return BigInt(Math.round(Number(v) * 1e9));
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : BigInt(ms) * 1_000_000n;
}

function parseQuery(q: string): { matchers: Matcher[]; filters: LineFilter[] } {
  const m = /^\s*\{([^}]*)\}(.*)$/.exec(q);
  if (!m) throw new Error(`parse error at line 1, col 1: syntax error: unexpected ${q.trim().split(/[\s({]/)[0] || 'EOF'}`);
  const matchers: Matcher[] = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  const body = m[1];
  let i = 0;
  while (i < body.length) {
    re.lastIndex = i;
    const x = re.exec(body);
    if (!x) throw new Error(`parse error at line 1, col ${i + 2}: syntax error: unexpected ${body.slice(i).trim()[0] ?? 'EOF'}`);
    matchers.push({ key: x[1], op: x[2] as Matcher['op'], value: x[3].replace(/\\(.)/g, '$1') });
    i = re.lastIndex;
  }
  if (matchers.length === 0 || matchers.every((x) => (x.op === '=~' || x.op === '!~' ? new RegExp(`^(?:${x.value})$`).test('') : x.op === '=' ? x.value === '' : true))) {
    throw new Error('parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will');
  }
  const filters: LineFilter[] = [];
  const rest = m[2].trim();
  const fre = /\s*(\|=|!=|\|~|!~)\s*"((?:[^"\\]|\\.)*)"/y;
  let j = 0;
  while (j < rest.length) {
    fre.lastIndex = j;
    const f = fre.exec(rest);
    if (!f) throw new Error(`not supported by the fake: ${rest.slice(j)}`);
    filters.push({ op: f[1] as LineFilter['op'], value: f[2].replace(/\\(.)/g, '$1') });
    j = fre.lastIndex;
  }
  return { matchers, filters };
}

function matches(m: Matcher, v: string): boolean {
  if (m.op === '=') return v === m.value;
  if (m.op === '!=') return v !== m.value;
  const ok = new RegExp(`^(?:${m.value})$`).test(v);
  return m.op === '=~' ? ok : !ok;
}

function lineMatches(f: LineFilter, line: string): boolean {
  if (f.op === '|=') return line.includes(f.value);
  if (f.op === '!=') return !line.includes(f.value);
  const ok = new RegExp(f.value).test(line);
  return f.op === '|~' ? ok : !ok;
}
