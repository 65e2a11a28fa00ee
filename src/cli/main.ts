// The `devops-commander` command. Each subcommand lives in its own file under commands/ and is
// loaded only when called, so short commands (replay, detect) start fast.
import { CliError } from './errors.js';

type Runner = (args: string[]) => Promise<number | void>;

const COMMANDS: Record<string, { load: () => Promise<{ run: Runner }>; help: string }> = {
  serve: { load: () => import('./commands/serve.js'), help: 'serve [--port 8080] [--db FILE] [--config FILE]   the service: API, loop, dashboard' },
  worker: { load: () => import('./commands/worker.js'), help: 'worker [--config FILE] [--concurrency N]           run watches from the PostgreSQL queue (scale-out)' },
  demo: { load: () => import('./commands/demo.js'), help: 'demo [--port 8080] [--simulated]                   the service plus a live demo world' },
  replay: { load: () => import('./commands/replay.js'), help: 'replay --scenario FILE [--json]                    play one scenario through the pipeline' },
  detect: { load: () => import('./commands/detect.js'), help: 'detect --input FILE.csv                            streaming anomaly scores of one series' },
  logs: { load: () => import('./commands/logs.js'), help: 'logs mine [--input FILE]                           log template mining (stdin without FILE)' },
  train: { load: () => import('./commands/train.js'), help: 'train [--seed N] [--out FILE]                      train the policy prior on simulated incidents' },
  eval: { load: () => import('./commands/eval.js'), help: 'eval [--seed N]                                    evaluate the policy against baselines' },
  export: { load: () => import('./commands/export.js'), help: 'export --format oumi-sft|oumi-kto --out FILE        decision history as JSONL' },
  policy: { load: () => import('./commands/policy.js'), help: 'policy list|show V|compare A B|rollback V          policy versions' },
  remediate: { load: () => import('./commands/remediate.js'), help: 'remediate <deployment-id> --repo DIR [--mode revert|agent] [--dry-run] [--json]   revert/fix PR of a rolled-back deploy' },
  review: { load: () => import('./commands/review.js'), help: 'review --repo DIR --base REF --head REF [--json]    the PR reviewer\'s findings, without GitHub' },
  token: { load: () => import('./commands/token.js'), help: 'token create --name NAME --role viewer|operator|admin   a new API token and its hash' },
};

function usage(): string {
  return ['usage: devops-commander <command> [options]', '', ...Object.values(COMMANDS).map((c) => '  ' + c.help)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) throw new CliError(`unknown command '${name}' (try --help)`);
  const mod = await cmd.load();
  const code = await mod.run(rest);
  return typeof code === 'number' ? code : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`devops-commander: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      const msg = err instanceof Error ? err.message : String(err);
      process.stderr.write(`devops-commander: ${msg.split('\n')[0]}\n`);
      if (process.env.DEBUG) console.error(err);
      process.exitCode = 1;
    }
  },
);
