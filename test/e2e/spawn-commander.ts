// Starts the real compiled CLI (bin/devops-commander.js → dist/) as a child process and finds
// the URL it printed. Every process started here is killed by the caller's cleanup.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/devops-commander.js', import.meta.url));
export const BUILT = existsSync(fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url)));

export interface Commander {
  child: ChildProcess;
  url: string;
  output: () => string;
}

export async function startCommander(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Commander> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`commander did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = (): void => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`commander exited with ${code}:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

export async function stop(c: Commander | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!c || c.child.exitCode !== null || c.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.child.once('exit', () => r()));
  c.child.kill(signal);
  await exited;
}

export async function until<T>(fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** POSTs a deployment on the concept's path and returns its id (fails the test unless 201). */
export async function deployOnConceptPath(url: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${url}/api/v1/executions/webhook/devops/deploy`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`deploy answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export interface Worker {
  child: ChildProcess;
  output: () => string;
}

/** Starts `devops-commander worker` and waits until it says it is ready. */
export async function startWorker(config: string): Promise<Worker> {
  const child = spawn(process.execPath, [BIN, 'worker', '--config', config, '--metrics-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${out}`))));
  await Promise.race([until(async () => (out.includes(' ready: ') ? true : undefined), 30_000, `worker ready:\n${out}`), exited]);
  return { child, output: () => out };
}
