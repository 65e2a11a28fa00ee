// Export of the decision history as JSONL conversations for teams that fine-tune a language-model
// policy with Oumi. One line per decision:
//   {"messages": [{role: system}, {role: user}, {role: assistant}], "metadata": {...}}
// - oumi-sft: the conversation as Oumi's chat SFT datasets read it (`messages`).
// - oumi-kto: the same plus Oumi's KTO fields — `prompt` (the system and user turns), `completion`
//   (the assistant turn) and `label` (true when the decision earned a positive reward). Decisions
//   without a verified reward are left out of KTO (there is nothing to label them with).
import type { Action, Decision, Features, Outcome } from '../core/types.js';
import type { Store } from '../core/store.js';
import type { TimelineEvent } from '../core/timeline.js';
import { outcomeReward } from './rewards.js';

export type ExportFormat = 'oumi-sft' | 'oumi-kto';

export interface DecisionRecord {
  deploymentId: string;
  decisionId: string;
  at: number;
  service: string;
  environment: string;
  version: string;
  headline: string;
  decision: Decision;
  features: Features;
  /** the verified reward when this decision was the one the outcome judged */
  reward?: number;
  outcome?: Outcome;
}

export const SYSTEM_PROMPT =
  'You are the deployment policy of AI DevOps Commander. Given what the analysis found after a deployment, ' +
  'answer with one action — continue, rollback, scale_up or escalate — a confidence between 0 and 1, and the reasons. ' +
  'Roll back only regressions caused by the new version; scale up for load surges; escalate dependency outages and missing telemetry.';

function userPrompt(r: DecisionRecord): string {
  const minutes = typeof r.features.minutes_since_deploy === 'number' ? `${r.features.minutes_since_deploy.toFixed(1)} min after the deploy` : 'after the deploy';
  const nonZero = Object.entries(r.features)
    .filter(([, v]) => typeof v === 'number' && v !== 0 && Number.isFinite(v))
    .map(([k, v]) => `${k}=${Math.round(v * 1000) / 1000}`)
    .join(', ');
  return `Deployment of ${r.service} ${r.version} in ${r.environment}, ${minutes}.\nSummary: ${r.headline}\nFeatures: ${nonZero || '(all zero)'}`;
}

function assistantAnswer(r: DecisionRecord): string {
  return JSON.stringify({ action: r.decision.action, confidence: r.decision.confidence, reasons: r.decision.reasons });
}

export function toJsonlLine(r: DecisionRecord, format: ExportFormat): string | undefined {
  if (format === 'oumi-kto' && r.reward === undefined) return undefined;
  const system = { role: 'system', content: SYSTEM_PROMPT };
  const user = { role: 'user', content: userPrompt(r) };
  const assistant = { role: 'assistant', content: assistantAnswer(r) };
  const line: Record<string, unknown> = {
    messages: [system, user, assistant],
    metadata: {
      deployment_id: r.deploymentId,
      decision_id: r.decisionId,
      at: new Date(r.at).toISOString(),
      features: r.features,
      action: r.decision.action,
      confidence: r.decision.confidence,
      propensity: r.decision.propensity ?? 1,
      reward: r.reward ?? null,
      policy_version: r.decision.policyVersion,
      ...(r.outcome ? { recovered: r.outcome.recovered } : {}),
    },
  };
  if (format === 'oumi-kto') {
    line.prompt = [system, user];
    line.completion = [assistant];
    line.label = (r.reward ?? 0) > 0;
  }
  return JSON.stringify(line);
}

export function toJsonl(records: readonly DecisionRecord[], format: ExportFormat): string {
  const lines = records.map((r) => toJsonlLine(r, format)).filter((l): l is string => l !== undefined);
  return lines.length ? lines.join('\n') + '\n' : '';
}

async function allEvents(store: Pick<Store, 'audit'>, type: string): Promise<TimelineEvent[]> {
  const out: TimelineEvent[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await store.audit({ type, afterSeq, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    afterSeq = page[page.length - 1].seq;
  }
}

/** Read every decision from the timeline, with the reward of the one each outcome judged. */
export async function decisionHistory(store: Pick<Store, 'audit' | 'getDeployment'>): Promise<DecisionRecord[]> {
  const decisions = await allEvents(store, 'decision.made');
  const outcomes = await allEvents(store, 'outcome.verified');
  const outcomeBy = new Map<string, Outcome>();
  for (const e of outcomes) if (e.deploymentId) outcomeBy.set(e.deploymentId, e.payload.outcome as Outcome);
  const records: DecisionRecord[] = [];
  const deployments = new Map<string, { service: string; environment: string; version: string }>();
  for (const e of decisions) {
    if (!e.deploymentId) continue;
    let d = deployments.get(e.deploymentId);
    if (!d) {
      const dep = await store.getDeployment(e.deploymentId);
      d = { service: dep?.service ?? 'unknown', environment: dep?.environment ?? 'unknown', version: dep?.version ?? 'unknown' };
      deployments.set(e.deploymentId, d);
    }
    const p = e.payload as { decisionId?: string; decision?: Decision; features?: Features; headline?: string };
    if (!p.decision) continue;
    records.push({
      deploymentId: e.deploymentId,
      decisionId: p.decisionId ?? `${e.deploymentId}-${e.seq}`,
      at: e.at,
      ...d,
      headline: p.headline ?? '',
      decision: p.decision,
      features: p.features ?? {},
    });
  }
  // The outcome judges the last decision whose action it verified (the one acted on, or the last
  // 'continue' when nothing was done).
  for (const [dep, outcome] of outcomeBy) {
    const judged = records.filter((r) => r.deploymentId === dep && r.decision.action === outcome.action).pop();
    if (judged) {
      judged.outcome = outcome;
      judged.reward = outcome.reward ?? outcomeReward({ action: outcome.action as Action, recovered: outcome.recovered });
    }
  }
  return records;
}
