// Generalisation and calibration of the deciding policy (the bandit by default; --policy scoring
// for the transparent evidence model alone) through the real pipeline tick: the dev
// scenarios as they are and transformed the ways held-out sets differ (coarser steps, more noise,
// dropped samples, weaker/stronger effects, renamed services and hosts, other log wording), plus
// H7's seeded simulated incident families. Prints accuracy / false rollback / Brier per set, a
// pooled reliability table, and per-set errors.
// Run: npx tsx bench/judgment.ts [--dir SCENARIO_DIR] [--sim N] [--only name,name] [--dump rows.json] [--policy bandit|scoring]
import { writeFileSync } from 'node:fs';
import { hashSeed, normal, seededRandom } from '../src/core/random.js';
import type { Scenario } from '../src/core/scenario.js';
import { pipelineTick } from '../src/cli/pipeline-tick.js';
import { metrics, playScenario, policyDecider, reliability, scoreInfo, scoreResult, type Scored } from '../src/policy/episode.js';
import { ScoringPolicy } from '../src/policy/scoring-policy.js';
import { BanditPolicy } from '../src/policy/bandit.js';
import { loadPrior } from '../src/policy/prior.js';
import { simulateMix } from '../src/policy/simulate.js';
import { loadDevScenarios } from './dev-scenarios.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const dir = opt('--dir') ?? '../shared/bench-data/scenarios';
const simN = Number(opt('--sim') ?? 80);
const only = opt('--only')?.split(',');

const dev: Scenario[] = loadDevScenarios(dir);

const t = (s: string): number => Date.parse(s);
const mapMetrics = (s: Scenario, fn: (name: string, pts: Array<[string, number]>, group: string) => Array<[string, number]>): Scenario => {
  const out: Scenario = structuredClone(s);
  for (const [g, m] of [['main', out.metrics], ['stable', out.baselineMetrics]] as const) {
    if (!m) continue;
    for (const k of Object.keys(m)) m[k] = fn(k, m[k], g);
  }
  return out;
};

/** every other sample: twice the step (the deploy sample is kept so "after" starts on time) */
function coarser(s: Scenario): Scenario {
  const dep = t(s.deployment.at);
  const out = mapMetrics(s, (_n, pts) => pts.filter((p) => Math.round((t(p[0]) - dep) / 1000 / s.stepSeconds) % 2 === 0));
  out.stepSeconds = s.stepSeconds * 2;
  return out;
}
function noisier(s: Scenario): Scenario {
  const r = seededRandom(hashSeed(`noise:${s.id}`));
  return mapMetrics(s, (n, pts) => pts.map(([at, v]) => [at, n === 'restarts' ? v : n === 'memory_bytes' ? v * (1 + 0.01 * normal(r)) : Math.max(0, v * (1 + 0.15 * normal(r)))]));
}
function dropped(s: Scenario): Scenario {
  const r = seededRandom(hashSeed(`drop:${s.id}`));
  return mapMetrics(s, (_n, pts) => pts.filter((_p, i) => i === 0 || i === pts.length - 1 || r() > 0.15));
}
/** effects scaled around the pre-deploy median (k < 1 weaker, k > 1 stronger) */
function scaled(k: number) {
  return (s: Scenario): Scenario => {
    // incidents only: a healthy deploy's warm-up blip is not an effect to widen
    if (s.truth?.cause === 'none') return s;
    const dep = t(s.deployment.at);
    return mapMetrics(s, (n, pts) => {
      if (n === 'restarts') return pts;
      const pre = pts.filter((p) => t(p[0]) < dep).map((p) => p[1]).sort((a, b) => a - b);
      if (!pre.length) return pts;
      const base = pre[Math.floor(pre.length / 2)];
      // scale the effect, not the noise: the rolling median's departure from the baseline is the
      // effect; the residual around it is kept as it is (else "after" would just get noisier)
      return pts.map(([at, v], i) => {
        if (t(at) < dep) return [at, v];
        const win = pts.slice(Math.max(0, i - 2), i + 3).map((p) => p[1]).sort((a, b) => a - b);
        const med = win[Math.floor(win.length / 2)];
        return [at, Math.max(0, v + (k - 1) * (med - base))];
      });
    });
  };
}
const PSEUDO = ['zephyr', 'quartz', 'lumen', 'fjord', 'tundra', 'atlas', 'orbit', 'cobalt', 'nimbus', 'vertex'];
function renamed(s: Scenario): Scenario {
  const map = new Map<string, string>();
  const rename = (w: string): string => {
    if (!map.has(w)) map.set(w, `${PSEUDO[hashSeed(w) % PSEUDO.length]}${hashSeed(w) % 97}`);
    return map.get(w)!;
  };
  const out = structuredClone(s);
  const svc = s.service;
  out.service = rename(svc);
  // host/service-like compound names (pricing-api, search-cluster, catalog-db.production.svc) and bare well-known stores
  const re = new RegExp(`\\b(${svc}|[a-z]+(?=-(?:api|db|cluster|gateway|svc|service|cache)\\b)|redis|postgres|kafka|elasticsearch|memcached)\\b`, 'g');
  for (const l of out.logs) l.message = l.message.replace(re, (w) => rename(w));
  return out;
}
/** the same events in another logging style (Go / gRPC / Java wording, upper-case levels in text) */
const REWORD: Array<[RegExp, string]> = [
  [/(?:Error: )?connect ECONNREFUSED ([\d.]+:\d+)/g, 'dial tcp $1: connect: connection refused'],
  [/request to (\S+) failed: ETIMEDOUT ([\d.:]+)/g, 'rpc error: code = DeadlineExceeded desc = context deadline exceeded (target $1)'],
  [/upstream (\S+) timed out after (\d+)ms/g, 'call to $1 exceeded deadline of $2ms'],
  [/socket hang up calling (\S+)/g, '$1: read: connection reset by peer'],
  [/circuit breaker OPEN for (\S+)/g, 'breaker for $1 tripped (open)'],
  [/TypeError: Cannot read properties of undefined \(reading '(\w+)'\)/g, "panic: runtime error: invalid memory address or nil pointer dereference [$1]"],
  [/java\.lang\.NullPointerException/g, 'NullReferenceException'],
  [/(\d+) Service Unavailable: too many concurrent requests/g, 'HTTP $1: server busy, request rejected (max in-flight reached)'],
  [/getaddrinfo ENOTFOUND (\S+)/g, 'lookup $1: no such host'],
];
function reworded(s: Scenario): Scenario {
  const out = structuredClone(s);
  for (const l of out.logs) for (const [re, to] of REWORD) l.message = l.message.replace(re, to);
  return out;
}

const which = opt('--policy') ?? 'bandit';
const policy = which === 'scoring' ? new ScoringPolicy() : new BanditPolicy(loadPrior());
console.log(`policy: ${policy.version}`);
const tick = pipelineTick();
function run(name: string, cases: Array<{ s: Scenario; family?: string }>): Scored[] {
  const rows: Scored[] = [];
  for (const c of cases) {
    const [r] = playScenario(c.s, [policyDecider(which, policy)], tick);
    rows.push(scoreResult(scoreInfo(c.s, c.family ?? c.s.truth!.cause), r));
  }
  const m = metrics(rows);
  const wrong = rows.filter((r) => !r.correct).map((r) => `${r.scenarioId}:${r.best}→${r.action}${r.early ? '(early)' : r.late ? '(late)' : ''}@${r.confidence.toFixed(2)}`);
  console.log(`${name.padEnd(14)} n=${String(m.n).padStart(3)} acc=${m.accuracy.toFixed(3)} false_rb=${m.falseRollback.toFixed(3)} missed=${m.missed.toFixed(3)} med_delay=${m.medianDelay ?? '-'} brier=${m.brier.toFixed(3)}  ${wrong.join(' ')}`);
  return rows;
}

const SETS: Array<[string, () => Array<{ s: Scenario; family?: string }>]> = [
  ['dev', () => dev.map((s) => ({ s }))],
  ['coarser×2', () => dev.map((s) => ({ s: coarser(s) }))],
  ['noise15%', () => dev.map((s) => ({ s: noisier(s) }))],
  ['drop15%', () => dev.map((s) => ({ s: dropped(s) }))],
  ['effects×0.6', () => dev.map((s) => ({ s: scaled(0.6)(s) }))],
  ['effects×2', () => dev.map((s) => ({ s: scaled(2)(s) }))],
  ['renamed', () => dev.map((s) => ({ s: renamed(s) }))],
  ['reworded', () => dev.map((s) => ({ s: reworded(s) }))],
  ['simulated', () => simulateMix(9001, simN).map((c) => ({ s: c.scenario, family: c.family }))],
];
const all: Scored[] = [];
for (const [name, make] of SETS) {
  if (only && !only.includes(name)) continue;
  if (name === 'simulated' && simN === 0) continue;
  all.push(...run(name, make()));
}
const dump = opt('--dump');
if (dump) writeFileSync(dump, JSON.stringify(all.map((r) => ({ id: r.scenarioId, family: r.family, action: r.action, best: r.best, confidence: r.confidence, correct: r.correct }))));
console.log(`pooled: n=${all.length} acc=${metrics(all).accuracy.toFixed(3)} brier=${metrics(all).brier.toFixed(3)}`);
console.log('reliability (pooled)  bin        n   mean_conf  accuracy');
for (const b of reliability(all, 20)) if (b.n) console.log(`                      ${b.lo.toFixed(2)}-${b.hi.toFixed(2)}  ${String(b.n).padStart(4)}   ${b.meanConfidence.toFixed(3)}     ${b.accuracy.toFixed(3)}`);
