// The marker a command target keeps per action id, and what can be learnt about a command whose
// commander died while it ran.
//
// Where it lives and why it survives a crash: in the commander's store (the key-value state of
// the SQLite file or of PostgreSQL, key `command:<actionId>`), handed to the actuator as the
// ActionJournal. It is written, and committed, BEFORE the command is started and again when it
// exits, so after kill -9 at any moment the next process finds one of three things: no marker
// (the command was never started: safe to run), `started` (it may have run: find out, never just
// run it again), or `finished` with the result. Every worker on the same store sees it, which a
// file on one host's disk would not give a worker on another host.
//
// A command is spawned in its own process group and keeps running when its commander dies. On
// the same host it is found again by its environment (COMMANDER_ACTION_ID, Linux /proc), which
// also tells a reused pid apart, waited for until the timeout it was started with, and killed at
// that timeout as its own commander would have done.
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ActionResult } from '../core/types.js';
import { processAlive } from './process-alive.js';

export const ACTION_ID_ENV = 'COMMANDER_ACTION_ID';

export interface CommandMarker {
  phase: 'started' | 'finished';
  argv: string[];
  /** host and pid of the commander process that started it */
  host: string;
  commanderPid: number;
  /** the command's pid (= its process group), once spawned */
  pid?: number;
  /** epoch ms (real time) */
  startedAt: number;
  timeoutMs: number;
  result?: ActionResult;
}

export const markerKey = (actionId: string) => `command:${actionId}`;

function environOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return undefined;
  }
}


/**
 * Pids on this host still running for this action: the recorded pid if its environment carries
 * the action id, else (pid not recorded: the commander died right at the start) every process
 * whose environment does. Without /proc (not Linux) the recorded pid is trusted if alive.
 */
export function runningFor(marker: CommandMarker, actionId: string): number[] {
  const tag = `${ACTION_ID_ENV}=${actionId}\0`;
  const procs = readdirSafe('/proc');
  if (procs === undefined) return marker.pid !== undefined && processAlive(marker.pid) ? [marker.pid] : [];
  if (marker.pid !== undefined) {
    const env = environOf(marker.pid);
    return env !== undefined && env.includes(tag) ? [marker.pid] : [];
  }
  return procs.filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid && (environOf(Number(p)) ?? '').includes(tag)).map(Number);
}

function readdirSafe(dir: string): string[] | undefined {
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig);
      return;
    } catch {
      // not a group leader, or already gone
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What became of a started command whose exit status was lost: waits (on this host) for it to
 * end, killing it at the timeout it was started with. Returns one sentence of evidence, and
 * whether the command may still be running somewhere (another host's, which cannot be seen).
 */
export async function settleOrphan(marker: CommandMarker, actionId: string, pollMs = 200): Promise<{ evidence: string; maybeRunning: boolean }> {
  const started = new Date(marker.startedAt).toISOString();
  const who = `started at ${started} by ${marker.host} (commander pid ${marker.commanderPid}${marker.pid !== undefined ? `, command pid ${marker.pid}` : ', before its pid was recorded'})`;
  if (marker.host !== hostname()) {
    const until = new Date(marker.startedAt + marker.timeoutMs).toISOString();
    return { evidence: `${who}; it runs on another host, where it may still be running until its timeout at ${until}`, maybeRunning: Date.now() < marker.startedAt + marker.timeoutMs };
  }
  let pids = runningFor(marker, actionId);
  if (pids.length === 0) return { evidence: `${who}; it was no longer running when the next process looked`, maybeRunning: false };
  const deadline = marker.startedAt + marker.timeoutMs;
  while (pids.length > 0 && Date.now() < deadline) {
    await sleep(pollMs);
    pids = runningFor(marker, actionId);
  }
  if (pids.length === 0) return { evidence: `${who}; it was still running after its commander stopped and ended at ${new Date().toISOString()}`, maybeRunning: false };
  for (const p of pids) killGroup(p, 'SIGTERM');
  const hard = Date.now() + 2000;
  while (runningFor(marker, actionId).length > 0 && Date.now() < hard) await sleep(pollMs);
  for (const p of runningFor(marker, actionId)) killGroup(p, 'SIGKILL');
  return { evidence: `${who}; it was still running at its timeout of ${marker.timeoutMs / 1000} s and was killed`, maybeRunning: false };
}
