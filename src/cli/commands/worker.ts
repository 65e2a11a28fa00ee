// `devops-commander worker [--config FILE] [--concurrency N] [--metrics-port N]`: runs watches from the
// PostgreSQL job queue (config `queue: {kind: pgboss}`, `store: {kind: postgres}`) until
// SIGINT/SIGTERM; `serve` with the same config queues them. On a stop, running watches are
// handed back to the queue between steps and another worker resumes them from the timeline.
// With --metrics-port (or queue.metricsPort) it serves its own GET /metrics on server.host.
import { parseArgs, intOption } from '../args.js';
import { CliError } from '../errors.js';
import { configFrom, runUntilSignal } from './serve.js';

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['config', 'concurrency', 'metrics-port'] });
  if (args.positional.length) throw new CliError(`unexpected argument '${args.positional[0]}'`);
  const config = configFrom(args);
  const { scaleOutSettings } = await import('../../app-queue.js');
  try {
    scaleOutSettings(config);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const concurrency = args.values.concurrency !== undefined ? intOption(args, 'concurrency', 1, 1, 10_000) : undefined;
  const metricsPort = args.values['metrics-port'] !== undefined ? intOption(args, 'metrics-port', 0, 0, 65_535) : undefined;
  const { startWorker } = await import('../../app-worker.js');
  const tag = `worker ${process.pid}`;
  const log = (line: string): void => void process.stderr.write(`${tag}: ${line}\n`);
  let running = 0;
  let metricsUrl: string | undefined;
  return runUntilSignal(
    async () => {
      const w = await startWorker({ config, log, ...(concurrency !== undefined ? { concurrency } : {}), ...(metricsPort !== undefined ? { metricsPort } : {}) });
      running = w.concurrency;
      metricsUrl = w.metricsUrl;
      return { url: '', close: () => w.close() };
    },
    () => `devops-commander ${tag} ready: up to ${running} watch${running === 1 ? '' : 'es'} at once from the PostgreSQL queue${metricsUrl ? `; metrics on ${metricsUrl}` : ''}`,
  );
}
