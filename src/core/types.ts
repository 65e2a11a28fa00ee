// Domain types shared by every stage of the loop. No I/O here, and nothing here imports
// from another folder of src/ (arrows point down to core).

/** What the commander can decide to do about a deployment. */
export type Action = 'continue' | 'rollback' | 'scale_up' | 'escalate';
export const ACTIONS: readonly Action[] = ['continue', 'rollback', 'scale_up', 'escalate'];

/** Causes a scenario or a simulated incident can have (CONTRACTS.md). */
export type Cause = 'deploy_regression' | 'load_surge' | 'dependency_outage' | 'no_data' | 'none';

/** The standard metrics every source tries to provide. Rates are fractions 0..1. */
export type StandardMetric =
  | 'error_rate'
  | 'latency_p95_ms'
  | 'cpu_utilization'
  | 'memory_bytes'
  | 'request_rate'
  | 'restarts';
export const STANDARD_METRICS: readonly StandardMetric[] = [
  'error_rate',
  'latency_p95_ms',
  'cpu_utilization',
  'memory_bytes',
  'request_rate',
  'restarts',
];

/** One sample: epoch milliseconds, value. */
export type Point = readonly [t: number, v: number];
/** Series by metric name (standard names first; sources may add others). */
export type SeriesMap = Partial<Record<string, Point[]>>;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export interface LogRecord {
  /** epoch ms */
  at: number;
  level: LogLevel;
  message: string;
  /** version of the service that emitted it, when known (canary vs stable) */
  version?: string;
  attributes?: Record<string, string>;
}

export interface SpanRecord {
  /** epoch ms of the span start */
  at: number;
  durationMs: number;
  operation: string;
  error: boolean;
  version?: string;
  traceId?: string;
}

/** A deployment as the intake hands it to the loop. */
export interface DeploymentSpec {
  service: string;
  environment: string;
  version: string;
  previousVersion?: string;
  commit?: string;
  /** the commit that ran before, when the deployer says (the start of the range a revert undoes) */
  previousCommit?: string;
  /** epoch ms of the deploy */
  at: number;
  replicas?: number;
}

export interface Deployment extends DeploymentSpec {
  id: string;
  /** where it came from: 'api', 'webhook', 'github', 'argocd', 'demo', 'replay' */
  source: string;
  /** epoch ms the commander received it */
  receivedAt: number;
  status: DeploymentStatus;
}

export type DeploymentStatus =
  | 'watching'
  | 'awaiting_approval'
  | 'acting'
  | 'verifying'
  | 'healthy'
  | 'rolled_back'
  | 'scaled_up'
  | 'escalated'
  | 'action_failed'
  /** an action's outcome could not be established after a crash: a person must check the target */
  | 'action_unknown'
  | 'not_recovered'
  | 'cancelled';

/** What a source is asked for: one deployment's window, [from, to] in epoch ms. */
export interface SignalQuery {
  deployment: DeploymentSpec;
  from: number;
  to: number;
  stepSeconds: number;
}

export interface SourceProblem {
  source: string;
  message: string;
}

/** Everything the sources returned for a window. Missing data is absent, never zero. */
export interface SignalBundle {
  metrics: SeriesMap;
  /** the stable group measured beside a canary, when there is one */
  baselineMetrics?: SeriesMap;
  logs: LogRecord[];
  spans: SpanRecord[];
  /** resource limits, e.g. {memory_bytes: 536870912} */
  limits: Record<string, number>;
  /** sources that failed or returned nothing; the analysis reports these as data gaps */
  problems: SourceProblem[];
}

export interface SignalSource {
  readonly name: string;
  collect(query: SignalQuery): Promise<SignalBundle>;
  close?(): Promise<void>;
}

export type FindingKind =
  | 'metric_shift' // after vs before, or canary vs stable
  | 'metric_spread' // variance / tail change
  | 'metric_trend' // resource growing towards its limit
  | 'restarts'
  | 'log_new' // template not seen before the deploy
  | 'log_spike' // template whose rate jumped
  | 'trace_operation' // error rate / latency of one operation
  | 'load_change' // request rate moved (surge or drop)
  | 'data_gap' // signals missing or a source failing
  | 'threshold'; // a metric above the limit the service's config sets (analysis/thresholds.ts)

/** One fact the analysis established, with the numbers behind it. */
export interface Finding {
  /** stable id within one analysis, e.g. 'metric_shift:error_rate' */
  id: string;
  kind: FindingKind;
  /** metric name, template id, operation name or source name */
  subject: string;
  /** 0..1: how strongly this finding says something is wrong */
  severity: number;
  direction: 'up' | 'down' | 'none';
  comparison: 'before_after' | 'canary_stable' | 'trend' | 'none';
  /** epoch ms when the change started, when it can be told */
  onset?: number;
  /** the statistics behind the claim (p-values, effect sizes, before/after values, counts) */
  stats: Record<string, number>;
  /** one line a person can read, made only from `stats` and `evidence` */
  text: string;
  evidence?: FindingEvidence;
}

export interface FindingEvidence {
  /** [from, to] epoch ms of the data the claim rests on */
  range?: [number, number];
  template?: string;
  samples?: string[];
  level?: LogLevel;
  operations?: string[];
}

export interface Analysis {
  /** epoch ms: data up to this instant was used */
  at: number;
  deployAt: number;
  findings: Finding[];
  /** fraction of expected samples present after the deploy, per standard metric (0..1) */
  coverage: Record<string, number>;
  /** true when canary-vs-stable data was available and used */
  canary: boolean;
}

export interface SummaryLine {
  text: string;
  findingId: string;
}

export interface Summary {
  /** the first line: the most important thing to know */
  headline: string;
  lines: SummaryLine[];
  /** headline + lines as one short text */
  text: string;
  /** who wrote it: 'deterministic' or 'llm:<model>' */
  author: string;
}

/** Numeric features the policy decides on (names documented in policy/features.ts). */
export type Features = Record<string, number>;

export interface Decision {
  action: Action;
  /** calibrated probability that `action` is the right one */
  confidence: number;
  /** human-readable reasons, most important first */
  reasons: string[];
  policyVersion: string;
  /** probability the policy had of choosing this action (off-policy evaluation) */
  propensity?: number;
  /** per-action scores or posterior probabilities, for display */
  scores?: Partial<Record<Action, number>>;
  /** set when a rule, not the policy, chose the action ('thresholds'); the policy does not learn from its outcome */
  overriddenBy?: string;
}

export interface PolicyInput {
  analysis: Analysis;
  features: Features;
  environment: string;
}

export interface Policy {
  readonly version: string;
  decide(input: PolicyInput): Decision;
}

/** What the guardrails let a decision do. */
export type GuardMode = 'execute' | 'await_approval' | 'dry_run' | 'record_only';
export interface GuardVerdict {
  mode: GuardMode;
  reason: string;
}

export type ActuatedAction = Exclude<Action, 'continue'>;

export interface ActionRequest {
  /** unique id of this action; actuators use it as idempotency key */
  id: string;
  action: ActuatedAction;
  deployment: Deployment;
  reason: string;
}

export interface ActionResult {
  ok: boolean;
  detail: string;
  /** what changed on the target, for the timeline */
  changes?: Record<string, unknown>;
}

/**
 * The answer to "was action X already carried out, and what came of it?", asked before a
 * resumed action is acted on (a crash, or a worker whose job expired, left it `requested`).
 */
export type ActionCheck =
  /** it was carried out (or definitely failed): record this result and never act again */
  | { state: 'done'; result: ActionResult }
  /** nothing of it reached the target, or sending it again cannot do it twice (an idempotency
   *  key the receiver honours): it may be carried out now */
  | { state: 'not_done'; evidence: string }
  /** it may or may not have happened: a person must look before anything else is done */
  | { state: 'unknown'; evidence: string; changes?: Record<string, unknown> };

/**
 * Durable notes an actuator keeps about its actions (a command's start and exit), shared by every
 * process on the same store and surviving kill -9: the loop passes the store's key-value state.
 */
export interface ActionJournal {
  get<T>(key: string): Promise<T | undefined>;
  /** undefined deletes the key */
  set<T>(key: string, value: T | undefined): Promise<void>;
}

export interface ActionContext {
  journal: ActionJournal;
}

export interface Actuator {
  readonly name: string;
  /** Carry the action out. Idempotent on `request.id`: a second call for an id that was already
   *  carried out reports that result and does not act again. */
  execute(request: ActionRequest, ctx?: ActionContext): Promise<ActionResult>;
  /** Was this action already carried out, and what came of it? Every built-in actuator answers;
   *  the loop treats an actuator without it as `unknown` for a resumed action. */
  check?(request: ActionRequest, ctx?: ActionContext): Promise<ActionCheck>;
  close?(): Promise<void>;
}

export interface Outcome {
  recovered: boolean;
  /** the action whose effect was verified ('continue' when nothing was done) */
  action: Action;
  detail: string;
  /** reward the policy learns from (policy/rewards.ts) */
  reward?: number;
}
