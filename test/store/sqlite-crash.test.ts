// kill -9 in the middle of appending must lose no acknowledged event and leave a chain that
// verifies: two writer processes share one file, both are SIGKILLed mid-loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { TimelineEvent } from '../../src/core/timeline.js';

const here = dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function startWriter(file: string, worker: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'sqlite-appender.ts'), file, worker], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const acks = new Map<string, number>();
  let buf = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    const lines = buf.split('\n');
    buf = lines.pop()!; // a half-written last line is not an acknowledgement
    for (const line of lines) {
      const m = /^ack (\S+) (\d+)$/.exec(line);
      if (m) acks.set(m[1], Number(m[2]));
    }
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  return { child, acks, exited };
}

it('loses no acknowledged append when writers are SIGKILLed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-crash-'));
  dirs.push(dir);
  const file = join(dir, 'crash.db');
  const writers = [startWriter(file, 'a'), startWriter(file, 'b')];
  const deadline = Date.now() + 30_000;
  while (writers.some((w) => w.acks.size < 150) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const w of writers) w.child.kill('SIGKILL');
  expect(await Promise.all(writers.map((w) => w.exited))).toEqual(['SIGKILL', 'SIGKILL']);
  for (const w of writers) expect(w.acks.size).toBeGreaterThanOrEqual(150);

  const store = createSqliteStore(file);
  try {
    const v = await store.verifyAudit();
    expect(v.ok).toBe(true);
    // every event, page by page: a fast writer can append more than one page before both have 150 acks
    const events: TimelineEvent[] = [];
    for (let page = await store.audit({ limit: 10_000 }); page.length; page = await store.audit({ afterSeq: page[page.length - 1].seq, limit: 10_000 })) {
      events.push(...page);
    }
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const bySeq = new Map(events.map((e) => [e.seq, e.dedupeKey]));
    for (const w of writers) {
      for (const [key, seq] of w.acks) expect(bySeq.get(seq)).toBe(key);
    }
    // both processes wrote into the same single chain
    expect(new Set(events.map((e) => e.actor))).toEqual(new Set(['worker:a', 'worker:b']));
    expect((await store.unfinishedDeployments()).map((d) => d.id)).toEqual(['dep-crash']);
  } finally {
    await store.close();
  }
});
