// A command target runs once per action id, also across a crash of the commander that started
// it: real processes (append-action.mjs appends the id to effects.log), a journal shared the way
// the store shares it between a killed process and the next one.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandActuator } from '../../src/actions/command.js';
import { markerKey, type CommandMarker } from '../../src/actions/command-marker.js';
import type { ActionContext, ActionJournal, ActionRequest, Deployment } from '../../src/core/types.js';

const node = process.execPath;
const append = fileURLToPath(new URL('../fixtures/commands/append-action.mjs', import.meta.url));
const status = fileURLToPath(new URL('../fixtures/commands/action-status.mjs', import.meta.url));

function req(id = 'dep1-d4-a'): ActionRequest {
  const deployment: Deployment = { id: 'dep1', service: 'checkout', environment: 'production', version: 'v2', previousVersion: 'v1', at: 0, source: 'test', receivedAt: 0, status: 'watching' };
  return { id, action: 'rollback', deployment, reason: 'test' };
}

/** One store's key-value state, as every process on it sees it. */
function sharedJournal(): ActionJournal & { map: Map<string, unknown> } {
  const map = new Map<string, unknown>();
  return {
    map,
    get: async <T>(k: string) => structuredClone(map.get(k)) as T | undefined,
    set: async <T>(k: string, v: T | undefined) => void (v === undefined ? map.delete(k) : map.set(k, structuredClone(v))),
  };
}

const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

/** A pid that no longer runs (the "killed commander"). */
async function deadPid(): Promise<number> {
  const c = spawn(node, ['-e', '']);
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

/** Starts the command as a commander would, then "dies": the child is left running on its own. */
function orphan(dir: string, id: string, sleepMs: number) {
  const child = spawn(node, [append, dir, id], { env: { ...process.env, COMMANDER_ACTION_ID: id, SLEEP_MS: String(sleepMs) }, detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cmd-once-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('command target: once per action id', () => {
  it('passes the id as $COMMANDER_ACTION_ID and {actionId}, and never runs one id twice', async () => {
    const journal = sharedJournal();
    const ctx: ActionContext = { journal };
    const a = new CommandActuator({ commands: { rollback: [node, append, dir, '{actionId}'] } });
    expect(await a.check(req(), ctx)).toMatchObject({ state: 'not_done', evidence: expect.stringMatching(/never started/) });
    const first = await a.execute(req(), ctx);
    expect(first.ok, first.detail).toBe(true); // the script exits 2 if env and argv disagree
    expect(journal.map.get(markerKey(req().id))).toMatchObject({ phase: 'finished', result: { ok: true } });

    // another process on the same store (a resumed watch, a second worker): not run again
    const b = new CommandActuator({ commands: { rollback: [node, append, dir, '{actionId}'] } });
    const again = await b.execute(req(), ctx);
    expect(again.ok).toBe(true);
    expect(again.detail).toMatch(/already done for dep1-d4-a: not run again/);
    expect(await b.check(req(), ctx)).toMatchObject({ state: 'done', result: { ok: true, detail: first.detail } });
    expect(lines(join(dir, 'effects.log'))).toEqual(['dep1-d4-a']);

    // a new action id is a new action
    expect((await b.execute(req('dep1-d9-a'), ctx)).ok).toBe(true);
    expect(lines(join(dir, 'effects.log'))).toEqual(['dep1-d4-a', 'dep1-d9-a']);
  });

  it('a command its commander left running: waited for, then unknown without statusArgv (not run again)', async () => {
    const journal = sharedJournal();
    const id = req().id;
    const child = orphan(dir, id, 600);
    const marker: CommandMarker = { phase: 'started', argv: [node, append, dir, id], host: hostname(), commanderPid: await deadPid(), pid: child.pid!, startedAt: Date.now(), timeoutMs: 60_000 };
    journal.map.set(markerKey(id), marker);

    const a = new CommandActuator({ commands: { rollback: [node, append, dir, '{actionId}'] } });
    const c = await a.check(req(), { journal });
    expect(c.state).toBe('unknown');
    if (c.state !== 'unknown') return;
    expect(c.evidence).toMatch(/still running after its commander stopped and ended at/);
    expect(c.evidence).toMatch(/no statusArgv is configured/);
    // execute refuses as well: the command is never started a second time
    const r = await a.execute(req(), { journal });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^not run again for dep1-d4-a/);
    expect(lines(join(dir, 'effects.log'))).toEqual([id]);
    expect(lines(join(dir, 'started.log'))).toEqual([id]);
  });

  it('statusArgv settles it: exit 0 = done (from the target), 3 = not done (run now, once)', async () => {
    const journal = sharedJournal();
    const opts = { commands: { rollback: [node, append, dir, '{actionId}'] }, statusArgv: [node, status, dir, '{actionId}'] };
    const a = new CommandActuator(opts);
    const commanderPid = await deadPid();

    // the commander died while the command ran; the command finished on its own
    const done = 'dep1-d4-a';
    const child = orphan(dir, done, 300);
    journal.map.set(markerKey(done), { phase: 'started', argv: [node, append, dir, done], host: hostname(), commanderPid, pid: child.pid!, startedAt: Date.now(), timeoutMs: 60_000 } satisfies CommandMarker);
    const c1 = await a.check(req(done), { journal });
    expect(c1).toMatchObject({ state: 'done', result: { ok: true, detail: expect.stringMatching(/action-status\.mjs .* says dep1-d4-a was done: dep1-d4-a is in effects\.log/) } });

    // the commander died right after committing the marker, before its command started
    const never = 'dep1-d7-a';
    journal.map.set(markerKey(never), { phase: 'started', argv: [node, append, dir, never], host: hostname(), commanderPid, startedAt: Date.now(), timeoutMs: 60_000 } satisfies CommandMarker);
    expect(await a.check(req(never), { journal })).toMatchObject({ state: 'not_done', evidence: expect.stringMatching(/exited 3: dep1-d7-a was not done/) });
    expect((await a.execute(req(never), { journal })).ok).toBe(true);
    expect(lines(join(dir, 'effects.log'))).toEqual([done, never]);
  });

  it('kills a command left running past its timeout, and says a status command that answers neither way is unknown', async () => {
    const journal = sharedJournal();
    const id = req().id;
    const child = orphan(dir, id, 30_000);
    journal.map.set(markerKey(id), { phase: 'started', argv: [node, append, dir, id], host: hostname(), commanderPid: await deadPid(), pid: child.pid!, startedAt: Date.now(), timeoutMs: 800 } satisfies CommandMarker);
    const a = new CommandActuator({ commands: { rollback: [node, append, dir, '{actionId}'] }, statusArgv: [node, '-e', 'process.exit(1)'] });
    const c = await a.check(req(), { journal });
    expect(c).toMatchObject({ state: 'unknown', evidence: expect.stringMatching(/still running at its timeout of 0.8 s and was killed; .* exited 1, which answers neither done \(0\) nor not done \(3\)/) });
    await new Promise((r) => setTimeout(r, 100));
    expect(() => process.kill(child.pid!, 0)).toThrow();
    expect(lines(join(dir, 'effects.log'))).toEqual([]);
  });

  it('does not ask the status command about a command still running on another host', async () => {
    const journal = sharedJournal();
    const id = req().id;
    journal.map.set(markerKey(id), { phase: 'started', argv: ['helm', 'rollback'], host: 'worker-elsewhere', commanderPid: 1, pid: 4242, startedAt: Date.now(), timeoutMs: 120_000 } satisfies CommandMarker);
    const a = new CommandActuator({ commands: { rollback: ['helm', 'rollback'] }, statusArgv: [node, status, dir, '{actionId}'] });
    expect(await a.check(req(), { journal })).toMatchObject({ state: 'unknown', evidence: expect.stringMatching(/another host, where it may still be running until .*not asked while the command may still run/) });
  });
});
