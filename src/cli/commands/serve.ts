// `devops-commander serve [--port 8080] [--host 127.0.0.1] [--db FILE] [--config FILE]`:
// the service (API, loop, dashboard) until SIGINT/SIGTERM.
import { parseArgs, intOption } from '../args.js';
import { CliError } from '../errors.js';
import { ConfigError, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';

export const SERVE_ARGS = { values: ['port', 'host', 'db', 'config', 'speed'], flags: ['simulated'] };

/** Config file + command-line overrides (flags win). */
export function configFrom(args: ReturnType<typeof parseArgs>): Config {
  let config: Config;
  try {
    config = loadConfig(args.values.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
  if (args.values.port !== undefined) config.server.port = intOption(args, 'port', 8080, 0, 65535);
  if (args.values.host !== undefined) config.server.host = args.values.host;
  if (args.values.db !== undefined) config.store = { kind: 'sqlite', path: args.values.db };
  if (args.values.speed !== undefined) {
    const s = Number(args.values.speed);
    if (!(s > 0 && s <= 1000)) throw new CliError('--speed must be a number from 0 (exclusive) to 1000');
    config.clock.speed = s;
    config.demo.speed = s;
  }
  return config;
}

/** Run until a signal; a second signal exits at once. */
export async function runUntilSignal(start: () => Promise<{ url: string; close(): Promise<void> }>, banner: (url: string) => string): Promise<number> {
  const app = await start().catch((e: unknown) => {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new CliError(`port already in use (${err.message.split(' ').pop()})`);
    if (err.code === 'EACCES') throw new CliError(`not allowed to listen: ${err.message}`);
    throw e;
  });
  process.stdout.write(banner(app.url) + '\n');
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) process.exit(130);
      stopping = true;
      process.stdout.write('stopping…\n');
      // A stop ends within 5 s whatever is still pending: what must survive (the timeline's
      // writes, jobs handed back to the queue) is done first by close(); a resumed watch redoes
      // a step that was cut off.
      setTimeout(() => {
        process.stderr.write('stopping: not closed after 4.5 s, exiting\n');
        process.exit(process.exitCode ?? 0);
      }, 4500).unref();
      // Everything that must outlive the process is written by close(). A watch still in a step
      // when its job was handed back (worker) may hold a pending query or timer; it must not keep
      // the process up, so it exits shortly after close() even then.
      void app.close().finally(() => {
        setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
        resolveStop();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SERVE_ARGS);
  if (args.positional.length) throw new CliError(`unexpected argument '${args.positional[0]}'`);
  const config = configFrom(args);
  const { startApp } = await import('../../app.js');
  return runUntilSignal(
    () => startApp({ config, mode: 'serve' }),
    (url) => `devops-commander listening on ${url}`,
  );
}
