// The scenario format v1 (CONTRACTS.md), as parsed data. Parsing/validation lives in
// signals/scenario-file.ts; `truth` is kept apart so deciding code never sees it.
import type { Cause, Action } from './types.js';

export interface ScenarioTruth {
  cause: Cause;
  onset: string | null;
  bestAction: Action;
  deadline: string | null;
}

export interface Scenario {
  id: string;
  description?: string;
  service: string;
  environment: string;
  stepSeconds: number;
  deployment: {
    version: string;
    previousVersion?: string;
    commit?: string;
    at: string;
    replicas?: number;
  };
  /** [ISO time, value] pairs */
  metrics: Record<string, Array<[string, number]>>;
  baselineMetrics?: Record<string, Array<[string, number]>>;
  limits?: Record<string, number>;
  logs: Array<{ at: string; level: string; message: string }>;
  truth?: ScenarioTruth;
}
