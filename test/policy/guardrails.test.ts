import { describe, expect, it } from 'vitest';
import { guard, DEFAULT_GUARDRAILS, type GuardContext } from '../../src/policy/guardrails.js';
import type { Decision } from '../../src/core/types.js';

const d = (action: Decision['action'], confidence: number): Decision => ({ action, confidence, reasons: [], policyVersion: 't' });
const ctx = (o: Partial<GuardContext> = {}): GuardContext => ({ environment: 'production', settings: DEFAULT_GUARDRAILS, automaticActions: 0, now: 1_000_000, ...o });

describe('guardrails', () => {
  it('executes a confident decision and asks a human below the environment threshold', () => {
    expect(guard(d('rollback', 0.9), ctx()).mode).toBe('execute');
    expect(guard(d('rollback', 0.8), ctx()).mode).toBe('await_approval');
    expect(guard(d('rollback', 0.7), ctx({ environment: 'staging' })).mode).toBe('execute');
    expect(guard(d('rollback', 0.7), ctx({ environment: 'unknown' })).mode).toBe('await_approval');
  });
  it('records continue, honours dry run and one automatic action per deployment', () => {
    expect(guard(d('continue', 0.99), ctx()).mode).toBe('record_only');
    expect(guard(d('rollback', 0.99), ctx({ settings: { ...DEFAULT_GUARDRAILS, dryRun: true } })).mode).toBe('dry_run');
    expect(guard(d('rollback', 0.99), ctx({ automaticActions: 1 })).mode).toBe('record_only');
  });
  it('never acts alone on missing data, but may escalate', () => {
    expect(guard(d('rollback', 0.99), ctx({ dataGap: true })).mode).toBe('await_approval');
    expect(guard(d('escalate', 0.99), ctx({ dataGap: true })).mode).toBe('execute');
  });
  it('applies the cooldown and requireApproval', () => {
    expect(guard(d('scale_up', 0.99), ctx({ lastActionAt: 1_000_000 - 60_000 })).mode).toBe('await_approval');
    expect(guard(d('scale_up', 0.99), ctx({ lastActionAt: 1_000_000 - 3_600_000 })).mode).toBe('execute');
    const s = { ...DEFAULT_GUARDRAILS, environments: { production: { autoActConfidence: 0.5, requireApproval: true } } };
    expect(guard(d('rollback', 0.99), ctx({ settings: s })).mode).toBe('await_approval');
  });
});
