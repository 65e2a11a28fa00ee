import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/commands/export.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { capture } from './capture.js';

const tmp = mkdtempSync(join(tmpdir(), 'export-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('devops-commander export', () => {
  it('writes the decision history of a database as Oumi JSONL', async () => {
    const db = join(tmp, 'c.db');
    const s = createSqliteStore(db);
    await s.createDeployment({ service: 'cart', environment: 'staging', version: 'v9', at: 1 }, { id: 'd1', source: 'api', receivedAt: 1, idempotencyKey: 'x' });
    await s.append({ deploymentId: 'd1', type: 'decision.made', at: 2, actor: 'policy:p', payload: { decisionId: 'd1-d0', decision: { action: 'escalate', confidence: 0.7, reasons: ['telemetry missing'], policyVersion: 'p', propensity: 0.6 }, features: { data_gap: 1 }, headline: 'telemetry missing' } });
    await s.append({ deploymentId: 'd1', type: 'outcome.verified', at: 3, actor: 'system', payload: { outcome: { recovered: false, action: 'escalate', detail: '' } } });
    await s.close();
    const out = join(tmp, 'kto.jsonl');
    const r = await capture(run, ['--format', 'oumi-kto', '--out', out, '--db', db]);
    expect(r.err).toMatch(/1 oumi-kto lines/);
    const line = JSON.parse(readFileSync(out, 'utf8').trim());
    expect(line.label).toBe(false);
    expect(line.metadata).toMatchObject({ action: 'escalate', propensity: 0.6, reward: -0.2, policy_version: 'p' });
  });

  it('fails with one line on bad input', async () => {
    await expect(capture(run, ['--format', 'csv', '--out', 'x'])).rejects.toThrow(/--format must be one of/);
    await expect(capture(run, ['--format', 'oumi-sft'])).rejects.toThrow(/needs --out/);
    await expect(capture(run, ['--format', 'oumi-sft', '--out', 'x', '--db', join(tmp, 'none.db')])).rejects.toThrow(/no database/);
  });
});
