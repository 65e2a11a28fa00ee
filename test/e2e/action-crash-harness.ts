// kill -9 of a real `serve` at bad moments while it acts on real targets, then the counts that say
// whether any action ran twice. Shared by the e2e test (test/e2e/action-crash.test.ts, a short
// run) and the soak (bench/action-crash-soak.ts, a long one).
//
// The world: `serve` with the simulated world (signals) and real targets (actions):
// - command targets: test/fixtures/commands/append-action.mjs appends the action id to
//   started.log, sleeps, then appends it to effects.log (the effect); half of the services have a
//   statusArgv (action-status.mjs reads effects.log), half have none;
// - services that need an approval (the harness approves or rejects them, and kills right after);
// - Kubernetes targets: Deployments in test/fakes/kube-apiserver.ts, whose controller takes a
//   while to settle a rollout.
// Kills rotate through: while a command runs (between action.requested and its result), right
// after a verdict (between the approval and its action), while a Kubernetes rollout settles
// (after the undo patch, before the result), and at a random moment.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeploymentDetailResponse, DeploymentListResponse } from '../../src/core/api.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import { seededRandom } from '../../src/core/random.js';
import { startFakeKubeApiserver, type FakeKubeApiserver } from '../fakes/kube-apiserver.js';
import { startCommander, stop, type Commander } from './spawn-commander.js';

const APPEND = fileURLToPath(new URL('../fixtures/commands/append-action.mjs', import.meta.url));
const STATUS = fileURLToPath(new URL('../fixtures/commands/action-status.mjs', import.meta.url));
// statuses only a completed watch has (`action_unknown` is also the status of a watch still running)
const FINAL = new Set(['healthy', 'rolled_back', 'scaled_up', 'escalated', 'action_failed', 'not_recovered', 'cancelled']);

export type Kind = 'status' | 'raw' | 'approve' | 'reject' | 'kube';
export type KillKind = 'in-command' | 'after-verdict' | 'in-rollout' | 'random';

export interface SoakOptions {
  dir: string;
  /** watches per kind */
  counts: Record<Kind, number>;
  /** how many kill -9 (and restarts) to do while the watches run */
  kills: number;
  /** watches in flight at once */
  concurrency: number;
  /** the commander's clock speed */
  speed: number;
  /** how long each command runs (real ms): the window between action.requested and its result */
  commandMs: number;
  seed: number;
  /** give up waiting for the watches after this long (real ms) */
  deadlineMs: number;
  log: (line: string) => void;
}

export interface KillRecord {
  kind: KillKind;
  /** commands running at the moment of the kill (action ids) */
  running: string[];
  /** the decision whose verdict was given right before the kill */
  verdict?: { decisionId: string; approve: boolean };
  /** Kubernetes deployments whose rollout was still settling */
  rollouts: string[];
  pid: number;
}

export interface SoakReport {
  seed: number;
  kills: KillRecord[];
  deployments: Array<{ id: string; service: string; kind: Kind; detail: DeploymentDetailResponse }>;
  /** action id → times in started.log / effects.log */
  started: Map<string, number>;
  effects: Map<string, number>;
  /** kube deployment name → undo patches the fake received */
  undos: Map<string, number>;
  auditOk: boolean;
  seconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function countLines(file: string): Map<string, number> {
  const m = new Map<string, number>();
  if (!existsSync(file)) return m;
  for (const l of readFileSync(file, 'utf8').split('\n')) if (l) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

const tpl = (service: string, image: string) => ({ metadata: { labels: { app: service } }, spec: { containers: [{ name: 'app', image }] } });

function configYaml(o: SoakOptions, out: string, kubeconfig: string, services: Array<{ name: string; kind: Kind }>): string {
  const command = (status: boolean) =>
    JSON.stringify({
      kind: 'command',
      commands: { rollback: [process.execPath, APPEND, out, '{actionId}'], scale_up: [process.execPath, APPEND, out, '{actionId}'], escalate: [process.execPath, APPEND, out, '{actionId}'] },
      env: { SLEEP_MS: String(o.commandMs) },
      timeoutSeconds: 60,
      ...(status ? { statusArgv: [process.execPath, STATUS, out, '{actionId}'] } : {}),
    });
  const svc = services.map(({ name, kind }) => {
    if (kind === 'kube') return `  ${name}: {target: {kind: kubernetes, kubeconfig: ${JSON.stringify(kubeconfig)}, namespace: shop, rolloutTimeoutSeconds: 120}}`;
    const approval = kind === 'approve' || kind === 'reject' ? ', approval: {requireApproval: true}' : '';
    return `  ${name}: {target: ${command(kind === 'status' || (kind !== 'raw' && name.endsWith('1')))}${approval}}`;
  });
  return [
    'server: {port: 0, rateLimitPerMinute: 100000}',
    `store: {kind: sqlite, path: ${JSON.stringify(join(o.dir, 'commander.db'))}}`,
    `clock: {speed: ${o.speed}}`,
    'watch: {windowSeconds: 180, baselineSeconds: 600, stepSeconds: 15, verifySeconds: 45, approvalTimeoutSeconds: 36000}',
    'guardrails: {cooldownSeconds: 0}',
    'policy: {decide: scoring, learn: false}',
    `target: ${command(false)}`,
    'services:',
    ...svc,
  ].join('\n');
}

export async function runCrashSoak(o: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const random = seededRandom(o.seed);
  const out = join(o.dir, 'out');
  mkdirSync(out, { recursive: true });
  // a rollout takes ~4 s to settle: the window between the undo patch and the action's result
  const kube: FakeKubeApiserver = await startFakeKubeApiserver({ controllerDelayMs: 2000 });
  const plan: Array<{ name: string; kind: Kind }> = [];
  for (const kind of ['status', 'raw', 'approve', 'reject', 'kube'] as Kind[]) for (let i = 1; i <= o.counts[kind]; i++) plan.push({ name: `${kind}-${String(i).padStart(2, '0')}`, kind });
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  // the Kubernetes watches go first, so their rollouts settle while kills are still to come
  plan.sort((a, b) => Number(b.kind === 'kube') - Number(a.kind === 'kube'));
  for (const p of plan.filter((x) => x.kind === 'kube')) await kube.seedDeployment('shop', p.name, [tpl(p.name, `${p.name}:1.0`), tpl(p.name, `${p.name}:2.0`)], 2);
  const kubeconfig = join(o.dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, kube.kubeconfigYaml('shop'));
  const cfg = join(o.dir, 'config.yaml');
  writeFileSync(cfg, configYaml(o, out, kubeconfig, plan));

  let current: Commander = await startCommander(['serve', '--config', cfg]);
  let restarting: Promise<void> | undefined;
  /** fetch against whichever process is up, retried across restarts */
  const api = async <T extends object>(path: string, init?: RequestInit): Promise<T & { status: number }> => {
    for (;;) {
      await restarting;
      try {
        const res = await fetch(`${current.url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
        return Object.assign((await res.json()) as T, { status: res.status });
      } catch {
        if (Date.now() - started > o.deadlineMs) throw new Error(`gave up on ${path}`);
        await sleep(100);
      }
    }
  };

  const kills: KillRecord[] = [];
  const killsLeft = () => o.kills - kills.length;
  const ids = new Map<string, { name: string; kind: Kind }>();
  const verdicts = new Map<string, boolean>();
  let finished = false;
  const pendingById = new Map<string, string>();
  const completed = new Set<string>();
  const refresh = async () => {
    const list = await api<DeploymentListResponse>('/api/deployments?limit=500');
    for (const d of list.deployments) {
      if (d.pendingDecisionId) pendingById.set(d.id, d.pendingDecisionId);
      else pendingById.delete(d.id);
      if (FINAL.has(d.status)) completed.add(d.id);
      else if (d.status === 'action_unknown' && !completed.has(d.id)) {
        const detail = await api<DeploymentDetailResponse>(`/api/deployments/${d.id}?series=0`);
        if (detail.events?.some((e) => e.type === 'watch.completed')) completed.add(d.id);
      }
    }
  };
  const inFlight = () => [...ids.keys()].filter((id) => !completed.has(id)).length;

  /** what the unfinished watches last did, and what the process said, for a failure message */
  const stuck = async () => {
    const lines: string[] = [];
    for (const id of [...ids.keys()].filter((x) => !completed.has(x))) {
      const d = await api<DeploymentDetailResponse>(`/api/deployments/${id}?series=0`);
      const tail = d.events.filter((e) => e.type !== 'signals.collected' && e.type !== 'analysis.completed' && e.type !== 'summary.written').slice(-6);
      lines.push(`${ids.get(id)?.name} ${id} ${d.deployment.status}: ${tail.map((e) => `${e.type} ${JSON.stringify(e.payload).slice(0, 160)}`).join(' | ')}`);
    }
    return `${lines.join('\n')}\nlast output: ${current.output().slice(-3000)}`;
  };
  const answer = async (deploymentId: string, decisionId: string): Promise<boolean | undefined> => {
    const approve = ids.get(deploymentId)?.kind === 'approve';
    const r = await api<{ error?: string }>(`/api/decisions/${decisionId}/${approve ? 'approve' : 'reject'}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'crash test' }),
    });
    if (r.status !== 202 && r.status !== 409) throw new Error(`verdict on ${decisionId}: HTTP ${r.status} ${r.error ?? ''}`);
    if (r.status !== 202) return undefined;
    verdicts.set(decisionId, approve);
    return approve;
  };

  // deploys the plan, `concurrency` at a time, and answers approvals the killer did not take
  const driver = (async () => {
    let next = 0;
    while (!finished) {
      await refresh();
      while (next < plan.length && inFlight() < o.concurrency) {
        const p = plan[next++];
        const r = await api<{ id: string }>('/api/deployments', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `soak-${o.seed}-${p.name}` },
          body: JSON.stringify({ service: p.name, environment: 'production', version: 'v2.0.0-bug', previousVersion: 'v1.9.0' }),
        });
        ids.set(r.id, p);
      }
      if (killsLeft() === 0) for (const [dep, dec] of pendingById) if (!verdicts.has(dec)) await answer(dep, dec);
      if (next >= plan.length && inFlight() === 0) finished = true;
      else if (Date.now() - started > o.deadlineMs) throw new Error(`watches not finished after ${o.deadlineMs} ms: ${inFlight()} in flight, ${plan.length - next} not deployed\n${await stuck()}`);
      await sleep(250);
    }
  })();

  const runningCommands = () => {
    const s = countLines(join(out, 'started.log'));
    const e = countLines(join(out, 'effects.log'));
    return [...s.keys()].filter((id) => !e.has(id));
  };
  const settlingRollouts = () =>
    plan
      .filter((p) => p.kind === 'kube')
      .map((p) => p.name)
      .filter((n) => {
        const d = kube.get('deployments', 'shop', n);
        const st = (d?.status ?? {}) as { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number };
        const undone = kube.requests.some((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${n}`) && Array.isArray(r.body));
        return undone && d && ((st.observedGeneration ?? 0) < (d.metadata.generation ?? 0) || (st.availableReplicas ?? 0) < ((d.spec?.replicas as number) ?? 1));
      });
  const waitFor = async <T>(fn: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T | undefined> => {
    const end = Date.now() + ms;
    while (Date.now() < end && !finished) {
      const v = await fn();
      if (v !== undefined && (!Array.isArray(v) || v.length > 0)) return v;
      await sleep(40);
    }
    return undefined;
  };

  const cycle: KillKind[] = ['in-command', 'in-rollout', 'after-verdict', 'random', 'in-command', 'random', 'after-verdict', 'in-command', 'random'];
  const killer = (async () => {
    for (let k = 0; k < o.kills && !finished; k++) {
      let kind = cycle[k % cycle.length];
      let verdict: KillRecord['verdict'];
      if (kind === 'in-command' && !(await waitFor(runningCommands, 20_000))) kind = 'random';
      if (kind === 'in-rollout' && (o.counts.kube === 0 || !(await waitFor(settlingRollouts, 20_000)))) kind = 'random';
      if (kind === 'after-verdict') {
        const pending = await waitFor(async () => {
          await refresh().catch(() => undefined);
          return [...pendingById].find(([, dec]) => !verdicts.has(dec));
        }, 20_000);
        const approve = pending ? await answer(pending[0], pending[1]) : undefined;
        if (pending && approve !== undefined) verdict = { decisionId: pending[1], approve };
        else kind = 'random';
      }
      if (kind === 'random') await sleep(200 + random() * 2800);
      if (finished) break;
      const rec: KillRecord = { kind, running: runningCommands(), rollouts: o.counts.kube ? settlingRollouts() : [], pid: current.child.pid!, ...(verdict ? { verdict } : {}) };
      let done!: () => void;
      restarting = new Promise<void>((r) => (done = r));
      await stop(current, 'SIGKILL');
      kills.push(rec);
      o.log(`kill ${kills.length}/${o.kills} (${kind}): pid ${rec.pid}, commands running ${rec.running.length}, rollouts settling ${rec.rollouts.length}${verdict ? `, right after ${verdict.approve ? 'approving' : 'rejecting'} ${verdict.decisionId}` : ''}`);
      current = await startCommander(['serve', '--config', cfg]);
      done();
      restarting = undefined;
    }
  })();

  try {
    await Promise.all([driver, killer]);
    // orphaned commands end before the counts are read
    for (let i = 0; i < 100 && runningCommands().length > 0; i++) await sleep(100);
    const deployments = [];
    for (const [id, p] of ids) deployments.push({ id, service: p.name, kind: p.kind, detail: await api<DeploymentDetailResponse>(`/api/deployments/${id}?series=0`) });
    const audit = await api<{ ok: boolean }>('/api/audit/verify');
    const undos = new Map<string, number>();
    for (const p of plan.filter((x) => x.kind === 'kube'))
      undos.set(p.name, kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${p.name}`) && Array.isArray(r.body) && (r.body as Array<{ path: string }>).some((op) => op.path === '/spec/template')).length);
    return {
      seed: o.seed, kills, deployments, started: countLines(join(out, 'started.log')), effects: countLines(join(out, 'effects.log')), undos, auditOk: audit.ok, seconds: (Date.now() - started) / 1000,
    };
  } finally {
    finished = true;
    await stop(current, 'SIGKILL');
    await kube.close();
  }
}

/** The figures the issue asks for, one line each. */
export function summarize(r: SoakReport): { lines: string[]; counts: Record<string, number> } {
  const events = r.deployments.flatMap((d) => d.detail.events);
  const of = (t: string) => events.filter((e: TimelineEvent) => e.type === t);
  const requested = of('action.requested').filter((e) => e.payload.dryRun !== true);
  const runs = [...r.started.values()];
  const hist = new Map<number, number>();
  for (const n of runs) hist.set(n, (hist.get(n) ?? 0) + 1);
  const byKind = new Map<KillKind, number>();
  for (const k of r.kills) byKind.set(k.kind, (byKind.get(k.kind) ?? 0) + 1);
  const counts = {
    kills: r.kills.length,
    killsInCommand: r.kills.filter((k) => k.running.length > 0).length,
    killsAfterVerdict: r.kills.filter((k) => k.verdict).length,
    killsInRollout: r.kills.filter((k) => k.rollouts.length > 0).length,
    watches: r.deployments.length,
    actions: requested.length,
    executed: of('action.executed').length,
    reconciled: of('action.executed').filter((e) => e.payload.reconciled).length,
    failed: of('action.failed').length,
    unknown: of('action.unknown').length,
    commandIds: r.started.size,
    commandRunsMax: Math.max(0, ...runs),
    effectsMax: Math.max(0, ...r.effects.values()),
    kubeUndos: [...r.undos.values()].reduce((a, b) => a + b, 0),
    kubeUndosMax: Math.max(0, ...r.undos.values()),
  };
  const lines = [
    `seed ${r.seed}, ${r.seconds.toFixed(0)} s: ${counts.watches} watches, ${counts.kills} kill -9 (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}; ${counts.killsInCommand} with a command running, ${counts.killsAfterVerdict} right after a verdict, ${counts.killsInRollout} with a rollout settling)`,
    `actions ${counts.actions}: executed ${counts.executed} (${counts.reconciled} reconciled after a restart), unknown ${counts.unknown}, failed ${counts.failed}`,
    `command runs per action id: ${[...hist].sort((a, b) => a[0] - b[0]).map(([n, c]) => `${c} id(s) ran ${n}×`).join(', ') || 'none'}; effects per id at most ${counts.effectsMax}`,
    `kubernetes undos: ${counts.kubeUndos} for ${r.undos.size} rollback(s), at most ${counts.kubeUndosMax} per deployment`,
  ];
  const unknown = of('action.unknown')[0];
  if (unknown) lines.push(`e.g. unknown: ${String(unknown.payload.evidence)}`);
  const reconciled = of('action.executed').find((e) => e.payload.reconciled);
  if (reconciled) lines.push(`e.g. reconciled: ${String(reconciled.payload.detail)} — ${String(reconciled.payload.reconciled)}`);
  return { lines, counts };
}
