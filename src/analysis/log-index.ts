// Log templates before vs after the deploy: which are new, which spiked, how bad their level is
// and what kind of failure their text describes. Templates come from the streaming miner
// (log-miner.ts); this file only counts. The index can be fed incrementally (the replay and the
// watch keep one per deployment so a tick only mines new lines) or rebuilt from a bundle: both
// give the same counts for the same records, so analysis stays deterministic.
import type { LogLevel, LogRecord } from '../core/types.js';
import { TemplateMiner } from './log-miner.js';

/** What a template's text says failed. Order of the checks matters (most specific first). */
export type LogKind = 'capacity' | 'dependency' | 'config' | 'telemetry' | 'code' | 'other';

// Generic failure vocabularies (not tied to any data set): overload, remote-call failure,
// telemetry pipeline failure, and program faults. Remote-call failures are worded differently by
// each runtime (Node: ECONNREFUSED / socket hang up; Go: dial tcp, i/o timeout, context deadline
// exceeded; gRPC: code = Unavailable / DeadlineExceeded; resilience libraries: breaker open).
const CAPACITY =
  /too many (concurrent )?requests|\b429\b|queue (is )?full|rejecting|overload|concurren(cy|t) limit|rate limit exceeded|pool exhausted|event loop lag|handler timed out|backpressure|throttl|capacity|no (free|idle) workers?|load shed/i;
const DEPENDENCY =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|connection (refused|reset|timed out)|socket hang up|upstream|circuit[- ]breaker|dependency|calling [\w.-]+|request to [\w.-]+ failed|could not connect|unable to connect|no healthy (upstream|host)|broken pipe|returned \d{3}|service unavailable|bad gateway|gateway time-?out|\b50[234]\b|deadline ?exceeded|code = unavailable|dial tcp|i\/o timeout|connection reset|reset by peer|(circuit )?breaker\b|timed out (calling|connecting|waiting for (a )?(response|reply|connection))|connect(ion)? timeout/i;
const TELEMETRY = /metrics? (push|export|scrape|collect)|telemetry|exporter|pushgateway|otel|failed to collect|span export/i;
const CODE =
  /exception|error:|typeerror|referenceerror|nullpointer|null pointer|undefined|panic|traceback|segfault|assert|unexpected|deserializ|failed to (parse|load|decode|serialize)|cannot read|caused by|keyerror|indexerror|stack ?trace|invalid|illegal|out of memory|oom|nil pointer|unhandled|fatal/i;

// Settings the new version brings: wrong host names, credentials, certificates, missing config.
const CONFIG =
  /authentication failed|permission denied|unauthori[sz]ed|forbidden|access denied|invalid credentials|missing (config|configuration|env|environment|setting|secret)|no such host|unknown host|ENOTFOUND|getaddrinfo|certificate|x509|tls handshake|not configured|config(uration)? (error|invalid)/i;

/**
 * Kind from the text alone. `knownTarget` says whether the remote thing the message names was
 * already talked about before the deploy: a failing call to a dependency the service always used
 * is an outage; a name, credential or certificate only the new version uses is its own bug.
 *
 * A target the logs never named before is NOT evidence that the code is new: healthy services
 * rarely log their successful calls, so most dependencies first appear in logs when they fail.
 * Only the settings vocabulary (name resolution, credentials, certificates, missing config)
 * positively points at the new version's configuration; a plain connectivity failure (refused,
 * timed out, 503) to an unnamed-before target stays a dependency failure, and the policy weighs
 * it against the version-specific evidence (canary, onset at the deploy).
 */
export function classifyTemplate(text: string, knownTarget?: boolean): LogKind {
  if (CAPACITY.test(text)) return 'capacity';
  if (TELEMETRY.test(text)) return 'telemetry';
  const dep = DEPENDENCY.test(text);
  const cfg = CONFIG.test(text);
  if (dep || cfg) {
    if (knownTarget === true) return 'dependency';
    return cfg ? 'config' : 'dependency';
  }
  if (CODE.test(text)) return 'code';
  return 'other';
}

const TOKEN = /[A-Za-z0-9][A-Za-z0-9_.:-]*[A-Za-z0-9]/g;
const COMPOUND = /^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)+$/;

/** Names of remote things a message mentions: host/service-like words, "(redis)", "calling X", "X returned". */
export function targetNames(message: string): string[] {
  const out = new Set<string>();
  for (const m of message.matchAll(/\(([A-Za-z][\w.-]*)\)|(?:to|calling|upstream|from|host) ([A-Za-z][\w.-]*)|^([A-Za-z][\w.-]*) returned/g)) {
    const n = (m[1] ?? m[2] ?? m[3] ?? '').toLowerCase().replace(/:\d+$/, '');
    if (n.length >= 3) out.add(n);
  }
  for (const t of message.match(TOKEN) ?? []) {
    const n = t.toLowerCase().replace(/:\d+$/, '');
    if (COMPOUND.test(n) && /[a-z]{3}/.test(n)) out.add(n);
  }
  return [...out];
}

/** How much a level counts as evidence of trouble. INFO/DEBUG never do. */
export const LEVEL_WEIGHT: Record<LogLevel, number> = { trace: 0, debug: 0, info: 0, warn: 0.25, error: 1, fatal: 2 };
const LEVEL_RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5 };

export interface TemplateStat {
  id: string;
  template: string;
  level: LogLevel;
  kind: LogKind;
  before: number;
  after: number;
  /** epoch ms of the first occurrence after the deploy */
  firstAfter?: number;
  samples: string[];
}

interface Entry extends TemplateStat {
  samplesDone: boolean;
}

const HARVESTED_CAP = 4096;

export class LogIndex {
  private readonly miner = new TemplateMiner();
  private readonly byId = new Map<string, Entry>();
  private consumed = 0;
  private lastAt = -Infinity;
  /** lower-cased words of every pre-deploy message (to tell known dependencies from new ones) */
  private readonly preWords = new Set<string>();
  /** pre-deploy messages whose words are already in preWords */
  private readonly harvested = new Set<string>();

  constructor(readonly deployAt: number) {}

  /**
   * Feed the full, time-ordered record list seen so far (keep the query's `from` fixed for the
   * deployment); only records past the previous call are mined. Returns false, consuming nothing,
   * when the list is not an extension: the caller then rebuilds with `indexLogs`.
   */
  sync(records: readonly LogRecord[]): boolean {
    if (records.length < this.consumed) return false;
    // check first, then consume: a refused batch leaves the index untouched
    let prev = this.lastAt;
    for (let i = this.consumed; i < records.length; i++) {
      if (records[i].at < prev) return false;
      prev = records[i].at;
    }
    for (let i = this.consumed; i < records.length; i++) this.addOne(records[i]);
    this.lastAt = prev;
    this.consumed = records.length;
    return true;
  }

  private addOne(r: LogRecord): void {
    const t = this.miner.add(r.message);
    let e = this.byId.get(t.id);
    if (!e) {
      e = { id: t.id, template: t.template, level: r.level, kind: 'other', before: 0, after: 0, samples: [], samplesDone: false };
      this.byId.set(t.id, e);
    }
    e.template = t.template;
    if (LEVEL_RANK[r.level] > LEVEL_RANK[e.level]) e.level = r.level;
    if (r.at < this.deployAt) {
      e.before++;
      // words of each template's first few lines and of every warning/error (names vary inside one template)
      // (a repeated line adds nothing new: skip its regex passes; the set is bounded and clearing
      // it only costs repeating them)
      if ((LEVEL_WEIGHT[r.level] > 0 || e.before <= 3) && !this.harvested.has(r.message)) {
        if (this.harvested.size >= HARVESTED_CAP) this.harvested.clear();
        this.harvested.add(r.message);
        for (const w of r.message.toLowerCase().match(TOKEN) ?? []) this.preWords.add(w.replace(/:\d+$/, ''));
        for (const n of targetNames(r.message)) this.preWords.add(n);
      }
    } else {
      e.after++;
      if (e.firstAfter === undefined) e.firstAfter = r.at;
      if (!e.samplesDone) {
        e.samples.push(r.message.slice(0, 300));
        if (e.samples.length >= 3) e.samplesDone = true;
      }
    }
  }

  /** true: a named target was mentioned before the deploy; false: names only new ones; undefined: none named */
  private knownTarget(samples: readonly string[]): boolean | undefined {
    const names = samples.length ? targetNames(samples[0]) : [];
    if (names.length === 0) return undefined;
    return names.some((n) => this.preWords.has(n));
  }

  stats(): TemplateStat[] {
    // The miner only ever merges groups, and an id handed out before a merge resolves to the
    // surviving group: fold entries together by their survivor, or a pre-deploy template that
    // merged later would look "new since the deploy".
    const merged = new Map<string, TemplateStat>();
    for (const e of this.byId.values()) {
      const current = this.miner.resolve(e.id);
      const id = current?.id ?? e.id;
      const m = merged.get(id);
      if (!m) {
        merged.set(id, {
          id,
          template: current?.template ?? e.template,
          level: e.level,
          kind: 'other',
          before: e.before,
          after: e.after,
          firstAfter: e.firstAfter,
          samples: e.samples.slice(),
        });
        continue;
      }
      m.before += e.before;
      m.after += e.after;
      if (LEVEL_RANK[e.level] > LEVEL_RANK[m.level]) m.level = e.level;
      if (e.firstAfter !== undefined && (m.firstAfter === undefined || e.firstAfter < m.firstAfter)) m.firstAfter = e.firstAfter;
      for (const s of e.samples) if (m.samples.length < 3) m.samples.push(s);
    }
    const out = [...merged.values()];
    for (const m of out) m.kind = classifyTemplate(m.template, this.knownTarget(m.samples));
    return out;
  }
}

/** Build an index from scratch (records in any order; sorted stably by time first). */
export function indexLogs(records: readonly LogRecord[], deployAt: number): LogIndex {
  const sorted = records.map((r, i) => [r, i] as const).sort((a, b) => a[0].at - b[0].at || a[1] - b[1]).map((x) => x[0]);
  const idx = new LogIndex(deployAt);
  idx.sync(sorted);
  return idx;
}
