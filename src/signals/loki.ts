// The `loki` source: LogQL query_range over Grafana Loki's HTTP API (stream results only; the
// analysis mines templates itself, so we need lines, not Loki's metric queries). Pages forward
// through the window when a page comes back full, as Loki's docs recommend.
import type { LogLevel, LogRecord, SignalBundle, SignalQuery, SignalSource, SourceProblem } from '../core/types.js';
import { own } from '../core/own.js';

export interface LokiSourceOptions {
  url: string;
  /** LogQL stream query, templated by ${service}, ${environment}, ${version} */
  query?: string;
  /** per service override of `query` */
  services?: Record<string, { query?: string }>;
  /** lines per request (Loki's max_entries_limit_per_query defaults to 5000) */
  limit?: number;
  /** stop after this many pages; the rest is reported as a problem, not silently lost */
  maxPages?: number;
  /** X-Scope-OrgID for multi-tenant Loki */
  tenant?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

// Loki 3 sets service_name from OTLP resources and most agents' labels.
export const DEFAULT_LOKI_QUERY = '{service_name="${service}"}';
const SAFE_VALUE = /^[A-Za-z0-9_.:\-/+]*$/;

interface StreamsResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
}

const LEVELS: Record<string, LogLevel> = {
  trace: 'trace', debug: 'debug', info: 'info', information: 'info', notice: 'info', warn: 'warn', warning: 'warn',
  error: 'error', err: 'error', critical: 'fatal', crit: 'fatal', fatal: 'fatal', panic: 'fatal', emerg: 'fatal', alert: 'fatal',
};
// pino/bunyan numeric levels
const PINO: Record<number, LogLevel> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function levelOf(v: unknown): LogLevel | undefined {
  if (typeof v === 'number') return PINO[v];
  if (typeof v === 'string') return LEVELS[v.toLowerCase()];
  return undefined;
}

/** Level and message from a stream's labels and a raw line (JSON, logfmt or plain text). */
export function parseLine(labels: Record<string, string>, line: string): { level: LogLevel; message: string; attributes: Record<string, string> } {
  let level = levelOf(labels.level) ?? levelOf(labels.detected_level) ?? levelOf(labels.severity_text) ?? levelOf(labels.severity);
  let message = line;
  const attributes: Record<string, string> = {};
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      level ??= levelOf(o.level) ?? levelOf(o.severity) ?? levelOf(o.lvl);
      const m = o.msg ?? o.message ?? o.body;
      if (typeof m === 'string') message = m;
      for (const [k, v] of Object.entries(o)) if (typeof v === 'string' && k !== 'msg' && k !== 'message') attributes[k] = v;
    } catch {
      // not JSON after all: keep the line
    }
  } else {
    const lv = /(?:^|\s)(?:level|lvl|severity)=("?)(\w+)\1/.exec(line);
    if (lv) level ??= levelOf(lv[2]);
    const msg = /(?:^|\s)msg=(?:"((?:[^"\\]|\\.)*)"|(\S+))/.exec(line);
    if (msg) message = msg[1] !== undefined ? msg[1].replace(/\\"/g, '"') : msg[2];
    if (!level) {
      const kw = /\b(FATAL|PANIC|ERROR|WARN(?:ING)?|INFO|DEBUG|TRACE)\b/.exec(line);
      if (kw) level = levelOf(kw[1]);
    }
  }
  return { level: level ?? 'info', message, attributes };
}

export class LokiSource implements SignalSource {
  readonly name = 'loki';
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: LokiSourceOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  queryFor(d: SignalQuery['deployment']): string {
    const tpl = own(this.opts.services, d.service)?.query ?? this.opts.query ?? DEFAULT_LOKI_QUERY;
    const vars: Record<string, string> = { service: d.service, environment: d.environment, version: d.version, previousVersion: d.previousVersion ?? '' };
    return tpl.replace(/\$\{(\w+)\}/g, (_m, k: string) => {
      const v = own(vars, k);
      if (v === undefined) throw new Error(`unknown variable \${${k}} in LogQL query`);
      if (!SAFE_VALUE.test(v)) throw new Error(`${k} "${v}" has characters that cannot go into a LogQL label value`);
      return v;
    });
  }

  async collect(q: SignalQuery): Promise<SignalBundle> {
    const problems: SourceProblem[] = [];
    const logs: LogRecord[] = [];
    const bundle = (): SignalBundle => ({ metrics: {}, logs, spans: [], limits: {}, problems });
    let query: string;
    try {
      query = this.queryFor(q.deployment);
    } catch (e) {
      problems.push({ source: this.name, message: (e as Error).message });
      return bundle();
    }
    const limit = this.opts.limit ?? 2000;
    const maxPages = this.opts.maxPages ?? 10;
    // Loki takes nanosecond timestamps; `end` is exclusive, hence +1 ms to include `to`.
    let startNs = BigInt(q.from) * 1_000_000n;
    const endNs = (BigInt(q.to) + 1n) * 1_000_000n;
    const seen = new Set<string>();
    for (let page = 0; page < maxPages; page++) {
      let body: StreamsResponse;
      try {
        body = await this.fetchPage(query, startNs, endNs, limit);
      } catch (e) {
        problems.push({ source: this.name, message: `${errText(e)} (query: ${query})` });
        return bundle();
      }
      if (body.data?.resultType !== 'streams') {
        problems.push({ source: this.name, message: `query returned ${body.data?.resultType ?? 'nothing'}, expected log streams: ${query}` });
        return bundle();
      }
      let count = 0;
      let lastNs = startNs;
      for (const s of body.data.result) {
        for (const [tsNs, line] of s.values) {
          count++;
          const ns = BigInt(tsNs);
          if (ns > lastNs) lastNs = ns;
          // Paging restarts at the last timestamp, which repeats lines sharing it: skip those.
          const key = `${tsNs}\u0000${JSON.stringify(s.stream)}\u0000${line}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const p = parseLine(s.stream, line);
          const version = s.stream.version ?? s.stream.service_version ?? p.attributes.version;
          logs.push({ at: Number(ns / 1_000_000n), level: p.level, message: p.message, ...(version ? { version } : {}), attributes: { ...s.stream } });
        }
      }
      if (count < limit) break;
      if (page === maxPages - 1) {
        problems.push({ source: this.name, message: `more than ${limit * maxPages} lines in the window; only the first ${limit * maxPages} were read` });
        break;
      }
      if (lastNs === startNs) {
        // A full page on one nanosecond: paging by time cannot advance past it.
        problems.push({ source: this.name, message: `more than ${limit} lines share one timestamp; some were not read (raise limit)` });
        break;
      }
      startNs = lastNs;
    }
    logs.sort((a, b) => a.at - b.at);
    if (logs.length === 0) problems.push({ source: this.name, message: `no log lines for ${q.deployment.service} in the window: ${query}` });
    return bundle();
  }

  private async fetchPage(query: string, startNs: bigint, endNs: bigint, limit: number): Promise<StreamsResponse> {
    const params = new URLSearchParams({ query, start: startNs.toString(), end: endNs.toString(), limit: String(limit), direction: 'forward' });
    const headers: Record<string, string> = { ...(this.opts.headers ?? {}) };
    if (this.opts.tenant) headers['X-Scope-OrgID'] = this.opts.tenant;
    const res = await this.fetchImpl(`${this.base}/loki/api/v1/query_range?${params}`, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.trim().slice(0, 200)}`);
    let body: StreamsResponse;
    try {
      body = JSON.parse(text) as StreamsResponse;
    } catch {
      throw new Error(`not JSON: ${text.slice(0, 100)}`);
    }
    if (body.status !== 'success') throw new Error(body.error ?? `status ${body.status}`);
    return body;
  }
}

function errText(e: unknown): string {
  const err = e as Error & { cause?: { code?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  return err.cause?.code ? `${err.message} (${err.cause.code})` : err.message;
}
