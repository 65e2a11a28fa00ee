// `devops-commander demo [--port 8080] [--simulated] [--db FILE] [--config FILE] [--speed N]`:
// the service plus a demo world that keeps deploying good and bad versions. The world is
// picked by a factory: the live world of real processes is the default; `--simulated` keeps the
// simulated world.
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { SERVE_ARGS, configFrom, runUntilSignal } from './serve.js';
import type { WorldFactory } from '../../world/types.js';
import type { Config } from '../../config/schema.js';

type WorldLoader = (config: Config) => Promise<WorldFactory>;

const WORLDS: Record<string, WorldLoader> = {
  simulated: async (config) =>
    (await import('../../world/simulated.js')).simulatedWorldFactory({
      seed: config.demo.seed,
      autoDeploy: config.demo.autoDeploy,
      minIntervalSeconds: config.demo.minIntervalSeconds,
      maxIntervalSeconds: config.demo.maxIntervalSeconds,
      services: config.demo.services,
      ...(config.demo.deploymentsFile ? { deploymentsFile: config.demo.deploymentsFile } : {}),
    }),
  // Real processes of demo/service on loopback ports (src/world/live.ts): they run in real time.
  live: async (config) => {
    config.demo.speed = 1;
    return (await import('../../world/live.js')).liveWorldFactory({
      autoDeploy: config.demo.autoDeploy,
      minIntervalSeconds: config.demo.minIntervalSeconds,
      maxIntervalSeconds: config.demo.maxIntervalSeconds,
      // the services run this long before the first deploy, so it has a "before" to be judged against
      baselineSeconds: config.demo.baselineSeconds ?? Math.min(30, config.watch.baselineSeconds),
    });
  },
};
const DEFAULT_WORLD = 'live';

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: [...SERVE_ARGS.values, 'world'], flags: [...SERVE_ARGS.flags, 'no-auto'] });
  if (args.positional.length) throw new CliError(`unexpected argument '${args.positional[0]}'`);
  const config = configFrom(args);
  if (args.flags.has('no-auto')) config.demo.autoDeploy = false;
  const name = args.flags.has('simulated') ? 'simulated' : (args.values.world ?? DEFAULT_WORLD);
  const loader = Object.hasOwn(WORLDS, name) ? WORLDS[name] : undefined;
  if (!loader) throw new CliError(`unknown world '${name}' (known: ${Object.keys(WORLDS).join(', ')})`);
  const { startApp, packageRoot } = await import('../../app.js');
  if (!config.demo.deploymentsFile) {
    const { join } = await import('node:path');
    config.demo.deploymentsFile = join(packageRoot(), 'mock-data', 'deployments.json');
  }
  if (name === 'live' && args.values.config === undefined) {
    // Demo pacing for real time (a config file's own values win): judge in seconds, not minutes.
    Object.assign(config.watch, { stepSeconds: 5, windowSeconds: 180, baselineSeconds: 60, verifySeconds: 30 });
    config.guardrails.cooldownSeconds = 30;
  }
  const world = await loader(config);
  return runUntilSignal(
    () => startApp({ config, mode: 'demo', world }),
    (url) =>
      [
        `devops-commander demo (${name} world, clock ×${config.demo.speed}) on ${url}`,
        `  dashboard:  ${url}/`,
        // The live world runs only versions its demo service has: a suffix names the behaviour.
        `  deploy:     curl -X POST ${url}/api/v1/executions/webhook/devops/deploy -H 'content-type: application/json' -d '{"service":"checkout","version":"${name === 'live' ? 'v2.0.0-throw' : 'v2.0.0'}"}'`,
      ].join('\n'),
  );
}
