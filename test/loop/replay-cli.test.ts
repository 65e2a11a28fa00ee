import { describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { run } from '../../src/cli/commands/replay.js';
import { CliError } from '../../src/cli/errors.js';

describe('replay command', () => {
  it('prints exactly the contract JSON', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    try {
      expect(await run(['--scenario', join(import.meta.dirname, '../fixtures/scenarios/no-data.json'), '--json'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const j = JSON.parse(out.join(''));
    expect(Object.keys(j)).toEqual(['scenario', 'decisions']);
    expect(j.scenario).toBe('dev-0008');
    for (const d of j.decisions) {
      expect(Object.keys(d)).toEqual(['at', 'action', 'confidence', 'summary', 'reasons']);
      expect(d.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(j.decisions.find((d: { action: string }) => d.action !== 'continue')?.action).toBe('escalate');
  });
  it('bad file, bad JSON and wrong schema are one-line errors with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    writeFileSync(join(dir, 'bad.json'), '{nope');
    writeFileSync(join(dir, 'schema.json'), '{"id":"x","service":"s","stepSeconds":"15"}');
    for (const args of [['--scenario', join(dir, 'missing.json')], ['--scenario', join(dir, 'bad.json')], ['--scenario', join(dir, 'schema.json')], []]) {
      const err = await run(args).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).not.toContain('\n');
    }
    rmSync(dir, { recursive: true });
  });
});
