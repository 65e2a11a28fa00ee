// Optional narrator: asks any OpenAI-compatible /v1/chat/completions endpoint (OpenAI, Ollama,
// vLLM, llama.cpp server) to restate the findings as two or three plain sentences. It may only
// restate: a fact check rejects any number or quoted name that is not in the findings, and any
// timeout, HTTP error or rejected text falls back to the deterministic summary. This is I/O, so
// it runs beside the loop on each summary written (loop/narration.ts), never inside a tick.
//
// Configuration: `llm: {url, model, apiKey?, timeoutMs?}` in the config file, or the environment:
//   COMMANDER_LLM_URL      base URL, e.g. http://127.0.0.1:11434 (Ollama) or https://api.openai.com
//   COMMANDER_LLM_MODEL    model name (required to enable)
//   COMMANDER_LLM_API_KEY  bearer token (optional for local servers)
//   COMMANDER_LLM_TIMEOUT_MS  default 8000
import type { Analysis, DeploymentSpec, Summary } from '../core/types.js';
import { rankFindings } from './summarize.js';

export interface NarratorConfig {
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
}

export function narratorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): NarratorConfig | undefined {
  const url = env.COMMANDER_LLM_URL?.trim();
  const model = env.COMMANDER_LLM_MODEL?.trim();
  if (!url || !model) return undefined;
  const t = Number(env.COMMANDER_LLM_TIMEOUT_MS);
  return { url, model, apiKey: env.COMMANDER_LLM_API_KEY?.trim() || undefined, timeoutMs: Number.isFinite(t) && t > 0 ? t : 8000 };
}

/** The facts the narrator may use: ranked finding texts, the deployment's names and numbers. */
export function factSheet(analysis: Analysis, deployment: DeploymentSpec): string[] {
  const facts = [`service ${deployment.service}`, `environment ${deployment.environment}`, `version ${deployment.version}`];
  if (deployment.previousVersion) facts.push(`previous version ${deployment.previousVersion}`);
  for (const f of rankFindings(analysis.findings)) facts.push(`[${f.id}] ${f.text}`);
  return facts;
}

const NUMBER = /\d+(?:[.,]\d+)*/g;
const NAME = /`([^`]+)`|"([^"]+)"|\b([a-z][\w]*[-_.][\w.-]*[\w])\b|\b(v\d[\w.-]*)\b/g;

/**
 * Fact check: every number and every name-like token (quoted text, dotted/hyphenated
 * identifiers, version strings) in the narrative must appear in the facts.
 * Returns the offending tokens (empty = passes).
 */
export function uncheckedClaims(narrative: string, facts: readonly string[]): string[] {
  const corpus = facts.join('\n');
  const norm = (s: string): string => s.replace(/,/g, '');
  const factNumbers = new Set((corpus.match(NUMBER) ?? []).map(norm));
  const bad: string[] = [];
  for (const n of narrative.match(NUMBER) ?? []) if (!factNumbers.has(norm(n))) bad.push(n);
  const lower = corpus.toLowerCase();
  for (const m of narrative.matchAll(NAME)) {
    const name = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').trim();
    if (name && !lower.includes(name.toLowerCase())) bad.push(name);
  }
  return bad;
}

export interface NarrateOptions {
  config?: NarratorConfig;
  fetchImpl?: typeof fetch;
}

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

/**
 * One chat completion from the configured endpoint: its text, or why there is none (HTTP
 * status, empty answer, timeout). Never throws. The narrator and the PR reviewer share it.
 */
export async function chatCompletion(cfg: NarratorConfig, messages: ChatMessage[], opts: { maxTokens: number; fetchImpl?: typeof fetch }): Promise<{ text: string } | { error: string }> {
  const doFetch = opts.fetchImpl ?? fetch;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), cfg.timeoutMs);
  try {
    const res = await doFetch(`${cfg.url.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/chat/completions`, {
      method: 'POST',
      signal: ctrl.signal,
      headers: { 'content-type': 'application/json', ...(cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey}` } : {}) },
      body: JSON.stringify({ model: cfg.model, temperature: 0, max_tokens: opts.maxTokens, messages }),
    });
    if (!res.ok) return { error: `HTTP ${res.status}` };
    const body = (await res.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
    const text = body.choices?.[0]?.message?.content;
    if (typeof text !== 'string' || !text.trim()) return { error: 'empty answer' };
    return { text: text.trim() };
  } catch (e) {
    return { error: ctrl.signal.aborted ? 'timeout' : (e as Error).message.split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}

/** Returns an LLM-written summary that passed the fact check, or the deterministic one. */
export async function narrate(analysis: Analysis, deployment: DeploymentSpec, fallback: Summary, opts: NarrateOptions = {}): Promise<Summary & { narratorError?: string }> {
  const cfg = opts.config ?? narratorConfigFromEnv();
  if (!cfg) return fallback;
  const facts = factSheet(analysis, deployment);
  if (facts.length <= 4) return fallback; // nothing found: the deterministic line says it best
  const r = await chatCompletion(
    cfg,
    [
      {
        role: 'system',
        content:
          'You summarize a deployment check for an on-call engineer in at most three short sentences. ' +
          'Use ONLY the facts given. Do not add numbers, names, causes or advice that are not in the facts. Keep numbers exactly as written.',
      },
      { role: 'user', content: facts.join('\n') },
    ],
    { maxTokens: 200, ...(opts.fetchImpl ? { fetchImpl: opts.fetchImpl } : {}) },
  );
  if ('error' in r) return { ...fallback, narratorError: r.error };
  const narrative = r.text.slice(0, 1200);
  const bad = uncheckedClaims(narrative, facts);
  if (bad.length) return { ...fallback, narratorError: `rejected: not in the findings: ${bad.slice(0, 5).join(', ')}` };
  return { ...fallback, text: narrative, author: `llm:${cfg.model}` };
}
