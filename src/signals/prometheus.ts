// The `prometheus` source: PromQL query_range against a Prometheus server (or anything speaking
// its HTTP API: Thanos, Mimir, VictoriaMetrics). One query per standard metric, templated by the
// deployment's service, environment and version. A query that fails or returns nothing is a
// `problem` (a data gap), never a sign of ill health.
//
// Many watches at once: the watches that collect within `batchWindowMs` of each other share one
// query per metric, `…{job=~"a|b|c"}` grouped `by (job)`, and each takes its own series out of
// the answer. That needs a template that says where its grouping goes (`${by}`, `${andBy}`; the
// presets do) and a selector naming the service in one `label="${service}"` matcher; other
// templates, per-service overrides and limit queries are asked one deployment at a time.
import type { Point, SeriesMap, SignalBundle, SignalQuery, SignalSource, SourceProblem, StandardMetric } from '../core/types.js';
import { own } from '../core/own.js';

export type PrometheusPreset = 'prom-client' | 'kubernetes';

export interface PrometheusSourceOptions {
  url: string;
  /** defaults per exporter family; `queries` below override single metrics */
  preset?: PrometheusPreset;
  /** label matchers that pick the service's series; templated like the queries */
  selector?: string;
  /** range used inside rate()/increase(), e.g. '1m' (at least 4 scrape intervals) */
  rateWindow?: string;
  queries?: Partial<Record<StandardMetric, string>>;
  /** per service overrides of the above */
  services?: Record<string, { selector?: string; queries?: Partial<Record<StandardMetric, string>>; limits?: Record<string, number> }>;
  /** queries whose last value is a resource limit, e.g. {memory_bytes: 'max(kube_pod_container_resource_limits{...})'} */
  limitQueries?: Record<string, string>;
  timeoutMs?: number;
  headers?: Record<string, string>;
  fetchImpl?: typeof fetch;
  /** collects arriving within this many ms share one query per metric (0: never batch); default 50 */
  batchWindowMs?: number;
  /** most services in one batched query (the regex grows with each); default 100 */
  maxBatch?: number;
}

const PROM_CLIENT_SELECTOR = 'job="${service}"';
const KUBERNETES_SELECTOR = 'namespace="${environment}", container="${service}"';

/**
 * Defaults for the two common setups: services instrumented with prom-client (its default
 * process_* metrics plus the usual http_requests_total / http_request_duration_seconds), and
 * Kubernetes with cAdvisor + kube-state-metrics for resources.
 */
export const PRESETS: Record<PrometheusPreset, { selector: string; queries: Record<StandardMetric, string>; limitQueries: Record<string, string> }> = {
  'prom-client': {
    selector: PROM_CLIENT_SELECTOR,
    queries: {
      error_rate:
        'sum${by}(rate(http_requests_total{${selector}, status=~"5.."}[${rateWindow}])) / sum${by}(rate(http_requests_total{${selector}}[${rateWindow}]))',
      latency_p95_ms: '1000 * histogram_quantile(0.95, sum by (le${andBy}) (rate(http_request_duration_seconds_bucket{${selector}}[${rateWindow}])))',
      cpu_utilization: 'avg${by}(rate(process_cpu_seconds_total{${selector}}[${rateWindow}]))',
      memory_bytes: 'max${by}(process_resident_memory_bytes{${selector}})',
      request_rate: 'sum${by}(rate(http_requests_total{${selector}}[${rateWindow}]))',
      restarts: 'sum${by}(changes(process_start_time_seconds{${selector}}[1h]))',
    },
    limitQueries: {},
  },
  kubernetes: {
    selector: KUBERNETES_SELECTOR,
    queries: {
      error_rate:
        'sum${by}(rate(http_requests_total{${selector}, status=~"5.."}[${rateWindow}])) / sum${by}(rate(http_requests_total{${selector}}[${rateWindow}]))',
      latency_p95_ms: '1000 * histogram_quantile(0.95, sum by (le${andBy}) (rate(http_request_duration_seconds_bucket{${selector}}[${rateWindow}])))',
      cpu_utilization:
        'sum${by}(rate(container_cpu_usage_seconds_total{${selector}}[${rateWindow}])) / sum${by}(kube_pod_container_resource_limits{${selector}, resource="cpu"})',
      memory_bytes: 'max${by}(container_memory_working_set_bytes{${selector}})',
      request_rate: 'sum${by}(rate(http_requests_total{${selector}}[${rateWindow}]))',
      restarts: 'sum${by}(kube_pod_container_status_restarts_total{${selector}})',
    },
    limitQueries: { memory_bytes: 'max(kube_pod_container_resource_limits{${selector}, resource="memory"})' },
  },
};

// Only these characters may come from a deployment into a query: a value with a quote or a
// brace could otherwise rewrite the PromQL around it.
const SAFE_VALUE = /^[A-Za-z0-9_.:\-/+]*$/;

export function renderQuery(template: string, vars: Record<string, string>): string {
  return template.replace(/\$\{(\w+)\}/g, (_m, k: string) => {
    const v = own(vars, k);
    if (v === undefined) throw new Error(`unknown variable \${${k}} in query`);
    return v;
  });
}

interface MatrixResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values?: Array<[number, string]>; value?: [number, string] }> };
}

/** stands for the service in a batched query until the batch's services are known */
const SERVICES = '\u0000';

interface BatchedMetric {
  /** the query with `label="\u0000"` where the batch's services go */
  query: string;
  label: string;
}

interface Batch extends BatchedMetric {
  step: number;
  waiting: Array<{ service: string; from: number; to: number; resolve: (pts: Point[]) => void; reject: (e: unknown) => void }>;
  services: Set<string>;
  timer?: NodeJS.Timeout;
}

export class PrometheusSource implements SignalSource {
  readonly name = 'prometheus';
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly batches = new Map<string, Batch>();

  constructor(private readonly opts: PrometheusSourceOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  /** The rendered queries for a deployment (also shown by `problems` so users can paste them). */
  queriesFor(d: SignalQuery['deployment']): { queries: Partial<Record<StandardMetric, string>>; limits: Record<string, string> } {
    const preset = PRESETS[this.opts.preset ?? 'prom-client'];
    const svc = own(this.opts.services, d.service);
    const vars: Record<string, string> = {
      service: d.service,
      environment: d.environment,
      version: d.version,
      previousVersion: d.previousVersion ?? '',
      rateWindow: this.opts.rateWindow ?? '1m',
      // one deployment, one series: no grouping (batched queries group by the service's label)
      by: '',
      andBy: '',
    };
    for (const [k, v] of Object.entries(vars)) {
      if (!SAFE_VALUE.test(v)) throw new Error(`${k} "${v}" has characters that cannot go into a PromQL label value`);
    }
    vars.selector = renderQuery(svc?.selector ?? this.opts.selector ?? preset.selector, vars);
    const templates = { ...preset.queries, ...(this.opts.queries ?? {}), ...(svc?.queries ?? {}) };
    const queries: Partial<Record<StandardMetric, string>> = {};
    for (const [m, tpl] of Object.entries(templates)) if (tpl) queries[m as StandardMetric] = renderQuery(tpl, vars);
    const limits: Record<string, string> = {};
    for (const [m, tpl] of Object.entries({ ...preset.limitQueries, ...(this.opts.limitQueries ?? {}) })) limits[m] = renderQuery(tpl, vars);
    return { queries, limits };
  }

  /** The batched form of one metric's query for this deployment; undefined when it has none. */
  private batchable(d: SignalQuery['deployment'], metric: StandardMetric): BatchedMetric | undefined {
    if ((this.opts.batchWindowMs ?? 50) <= 0) return undefined;
    const svc = this.opts.services?.[d.service];
    if (svc?.selector !== undefined || svc?.queries?.[metric] !== undefined) return undefined;
    const preset = PRESETS[this.opts.preset ?? 'prom-client'];
    const template = this.opts.queries?.[metric] ?? preset.queries[metric];
    const selector = this.opts.selector ?? preset.selector;
    if (!template || !/\$\{(by|andBy)\}/.test(template) || /\$\{(version|previousVersion)\}/.test(selector + template)) return undefined;
    const matchers = [...selector.matchAll(/(\w+)="\$\{service\}"/g)];
    if (matchers.length !== 1 || selector.split('${service}').length !== 2) return undefined;
    const label = matchers[0][1];
    const vars: Record<string, string> = { service: SERVICES, environment: d.environment, version: '', previousVersion: '', rateWindow: this.opts.rateWindow ?? '1m', by: ` by (${label})`, andBy: `, ${label}` };
    vars.selector = renderQuery(selector, vars);
    return { query: renderQuery(template, vars), label };
  }

  /** This service's series from the batch its metric query joins (one query for all of it). */
  private viaBatch(b: BatchedMetric, service: string, from: number, to: number, step: number): Promise<Point[]> {
    return new Promise((resolve, reject) => {
      const key = `${step}\n${b.query}`;
      let batch = this.batches.get(key);
      if (!batch) {
        batch = { ...b, step, waiting: [], services: new Set() };
        this.batches.set(key, batch);
        batch.timer = setTimeout(() => void this.flush(key), this.opts.batchWindowMs ?? 50);
      }
      batch.waiting.push({ service, from, to, resolve, reject });
      batch.services.add(service);
      if (batch.services.size >= (this.opts.maxBatch ?? 100)) {
        clearTimeout(batch.timer);
        void this.flush(key);
      }
    });
  }

  private async flush(key: string): Promise<void> {
    const batch = this.batches.get(key);
    if (!batch) return;
    this.batches.delete(key);
    const stepMs = batch.step * 1000;
    // one grid for all: every deployment's points fall on start + k·step
    const start = Math.floor(Math.min(...batch.waiting.map((w) => w.from)) / stepMs) * stepMs;
    const end = Math.max(...batch.waiting.map((w) => w.to));
    const names = [...batch.services].map((x) => x.replace(/[.+\-/:]/g, (c) => `\\${c}`));
    const query = batch.query.replaceAll(`${batch.label}="${SERVICES}"`, `${batch.label}=~"${names.join('|')}"`);
    try {
      const result = (await this.queryRange(query, start, end, batch.step)).data?.result ?? [];
      const bySvc = new Map<string, typeof result>();
      for (const series of result) {
        const name = series.metric[batch.label];
        if (name === undefined) continue;
        const list = bySvc.get(name) ?? [];
        list.push(series);
        bySvc.set(name, list);
      }
      for (const w of batch.waiting) w.resolve(worstPerInstant(bySvc.get(w.service) ?? []).filter(([t]) => t >= w.from && t <= w.to));
    } catch (e) {
      for (const w of batch.waiting) w.reject(e);
    }
  }

  private async queryRange(query: string, start: number, end: number, step: number): Promise<MatrixResponse> {
    const params = new URLSearchParams({ query, start: String(start / 1000), end: String(end / 1000), step: `${step}s` });
    const res = await this.fetchImpl(`${this.base}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.opts.headers ?? {}) },
      body: params.toString(),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: MatrixResponse;
    try {
      body = JSON.parse(text) as MatrixResponse;
    } catch {
      throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    if (body.status !== 'success') throw new Error(`${body.errorType ?? `HTTP ${res.status}`}: ${body.error ?? 'query failed'}`);
    return body;
  }

  async collect(q: SignalQuery): Promise<SignalBundle> {
    const problems: SourceProblem[] = [];
    const metrics: SeriesMap = {};
    const limits: Record<string, number> = { ...(own(this.opts.services, q.deployment.service)?.limits ?? {}) };
    let rendered: ReturnType<PrometheusSource['queriesFor']>;
    try {
      rendered = this.queriesFor(q.deployment);
    } catch (e) {
      return { metrics, logs: [], spans: [], limits, problems: [{ source: this.name, message: (e as Error).message }] };
    }
    const step = Math.max(1, Math.round(q.stepSeconds));
    const jobs = Object.entries(rendered.queries).map(async ([metric, query]) => {
      try {
        const batched = this.batchable(q.deployment, metric as StandardMetric);
        const points = batched
          ? await this.viaBatch(batched, q.deployment.service, q.from, q.to, step)
          : worstPerInstant((await this.queryRange(query!, q.from, q.to, step)).data?.result ?? []);
        if (points.length === 0) {
          // the query as it would read for this deployment alone, so it can be pasted and tried
          problems.push({ source: this.name, message: `${metric}: query returned no data for ${q.deployment.service}: ${query}` });
          return;
        }
        metrics[metric] = points;
      } catch (e) {
        problems.push({ source: this.name, message: `${metric}: ${errText(e)} (query: ${query})` });
      }
    });
    const limitJobs = Object.entries(rendered.limits).map(async ([metric, query]) => {
      try {
        const body = await this.queryRange(query, q.to - step * 1000, q.to, step);
        const last = body.data?.result?.[0]?.values?.at(-1);
        const v = last ? Number(last[1]) : NaN;
        if (Number.isFinite(v) && v > 0) limits[metric] = v;
      } catch {
        // A missing limit only means no time-to-limit projection; not worth a problem line.
      }
    });
    await Promise.all([...jobs, ...limitJobs]);
    problems.sort((a, b) => a.message.localeCompare(b.message));
    return { metrics, logs: [], spans: [], limits, problems };
  }
}

/** Several series means the query did not aggregate; keep the worst (max) per instant rather
 *  than guessing how to combine them. NaN (0/0) is missing data, not a value. */
function worstPerInstant(series: Array<{ values?: Array<[number, string]> }>): Point[] {
  const byT = new Map<number, number>();
  for (const s of series) {
    for (const [ts, raw] of s.values ?? []) {
      const v = Number(raw);
      if (!Number.isFinite(v)) continue;
      const t = Math.round(ts * 1000);
      byT.set(t, Math.max(byT.get(t) ?? -Infinity, v));
    }
  }
  return [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => [t, v] as Point);
}

function errText(e: unknown): string {
  const err = e as Error & { cause?: { code?: string } };
  if (err.name === 'TimeoutError') return 'timed out';
  return err.cause?.code ? `${err.message} (${err.cause.code})` : err.message;
}
