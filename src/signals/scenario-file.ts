// Scenario files (CONTRACTS.md, format v1): read, parse and validate with zod into core's
// Scenario. Errors are one line and name the field. `truth` is split off here: `loadScenario`
// returns it beside the scenario, never inside what deciding code receives.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { Scenario, ScenarioTruth } from '../core/scenario.js';

export class ScenarioError extends Error {}

const MAX_BYTES = 200 * 1024 * 1024;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'not an ISO-8601 time' });
const sample = z.tuple([isoTime, z.number().finite()]);
const seriesMap = z.record(z.string(), z.array(sample));
const level = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

const truthSchema = z.object({
  cause: z.enum(['deploy_regression', 'load_surge', 'dependency_outage', 'no_data', 'none']),
  onset: isoTime.nullable().default(null),
  bestAction: z.enum(['continue', 'rollback', 'scale_up', 'escalate']),
  deadline: isoTime.nullable().default(null),
});

export const scenarioSchema = z.object({
  id: z.string().min(1).max(200),
  description: z.string().optional(),
  service: z.string().min(1).max(200),
  environment: z.string().min(1).max(100).default('production'),
  stepSeconds: z.number().positive().max(86_400),
  deployment: z.object({
    version: z.string().min(1).max(200),
    previousVersion: z.string().max(200).optional(),
    commit: z.string().max(100).optional(),
    at: isoTime,
    replicas: z.number().int().positive().optional(),
  }),
  metrics: seriesMap,
  baselineMetrics: seriesMap.optional(),
  limits: z.record(z.string(), z.number().positive()).optional(),
  logs: z
    .array(
      z.object({
        at: isoTime,
        // unknown levels are kept as info rather than rejected: log levels vary by source
        level: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase().replace(/^warning$/, 'warn').replace(/^critical$/, 'fatal') : v), level.catch('info')),
        message: z.string(),
      }),
    )
    .default([]),
  truth: truthSchema.optional(),
});

function issueText(e: z.ZodError): string {
  const i = e.issues[0];
  const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${path || '(root)'}: ${i.message}`;
}

/** Validate parsed JSON; returns the scenario without truth, and the truth separately. */
export function parseScenario(raw: unknown, name = 'scenario'): { scenario: Scenario; truth?: ScenarioTruth } {
  const r = scenarioSchema.safeParse(raw);
  if (!r.success) throw new ScenarioError(`${name}: ${issueText(r.error)}`);
  const { truth, ...rest } = r.data;
  const scenario: Scenario = { ...rest, logs: rest.logs.map((l) => ({ at: l.at, level: l.level, message: l.message })) };
  return { scenario, truth: truth ?? undefined };
}

export function parseScenarioText(text: string, name = 'scenario'): { scenario: Scenario; truth?: ScenarioTruth } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`${name}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  return parseScenario(raw, name);
}

export function loadScenario(file: string): { scenario: Scenario; truth?: ScenarioTruth } {
  let text: string;
  try {
    if (statSync(file).size > MAX_BYTES) throw new ScenarioError(`${file}: larger than ${MAX_BYTES / 1048576} MB`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseScenarioText(text, file);
}
