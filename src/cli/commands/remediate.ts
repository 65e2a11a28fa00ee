// `devops-commander remediate <deployment-id> --repo DIR [--mode revert|agent] [--dry-run] [--json]
// [--config FILE] [--db FILE] [--dashboard-url URL]`: opens the revert (or agent fix) pull request
// of a rolled-back deployment, or with --dry-run builds the branch locally and prints its
// diffstat and PR body without pushing or sending anything.
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { Store } from '../../core/store.js';
import { systemClock } from '../../core/clock.js';
import { createSqliteStore } from '../../store/sqlite.js';
import { llmConfigOf } from '../../config/integrations.js';
import { remediate, RemediationRefused, type RemediationResult } from '../../remediation/remediate.js';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { values: ['repo', 'mode', 'config', 'db', 'dashboard-url'], flags: ['dry-run', 'json'] });
  const [id, ...extra] = p.positional;
  if (!id || extra.length) throw new CliError('usage: remediate <deployment-id> --repo DIR [--mode revert|agent] [--dry-run] [--json]');
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw new CliError(`malformed deployment id '${id}'`);
  const mode = p.values.mode;
  if (mode !== undefined && mode !== 'revert' && mode !== 'agent') throw new CliError('--mode must be revert or agent');
  const config = loadConfig(p.values.config);
  const store = await openStore(config, p.values.db);
  try {
    const dashboardUrl = p.values['dashboard-url'] ?? config.remediation.dashboardUrl ?? config.notifications.baseUrl ?? `http://${config.server.host}:${config.server.port}`;
    const llm = llmConfigOf(config.llm);
    let r: RemediationResult;
    try {
      r = await remediate(
        { deploymentId: id, ...(mode ? { mode } : {}), dryRun: p.flags.has('dry-run'), actor: `user:${process.env.USER ?? 'cli'}`, ...(p.values.repo ? { repo: p.values.repo } : {}) },
        { store, clock: systemClock, config: config.remediation, dashboardUrl, ...(llm ? { llm } : {}), log: (l) => process.stderr.write(`remediate: ${l}\n`) },
      );
    } catch (e) {
      if (e instanceof RemediationRefused) throw new CliError(e.message, e.status === 404 ? 3 : 2);
      throw e;
    }
    if (p.flags.has('json')) {
      const out = r.status === 'dry_run' ? { branch: r.branch, range: r.range, commits: r.commits, diffstat: r.diffstat, body: r.body } : r;
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else process.stdout.write(describe(r));
    return r.status === 'failed' ? 1 : 0;
  } finally {
    await store.close();
  }
}

async function openStore(config: Config, db: string | undefined): Promise<Store> {
  if (db || config.store.kind === 'sqlite') return createSqliteStore(db ?? (config.store as { path: string }).path);
  const { createPostgresStore } = await import('../../store/postgres.js');
  return createPostgresStore(config.store.url);
}

function describe(r: RemediationResult): string {
  const lines: string[] = [];
  if (r.range) lines.push(`range ${r.range.from.slice(0, 12)}..${r.range.to.slice(0, 12)}: ${r.commits?.length ?? 0} first-parent commit(s)`);
  for (const c of r.commits ?? []) lines.push(`  ${c.sha.slice(0, 12)} ${c.merge ? '(merge) ' : ''}${c.subject}`);
  if (r.diffstat) lines.push('', r.diffstat);
  switch (r.status) {
    case 'dry_run':
      lines.push('', `branch ${r.branch} built locally; nothing pushed, nothing sent`, '', `title: ${r.title}`, '', r.body ?? '');
      break;
    case 'pr_opened':
      lines.push(`${r.pr!.adopted ? 'found' : 'opened'} pull request #${r.pr!.number}: ${r.pr!.url}`);
      if (r.review) lines.push(`review: ${r.review.posted ? 'posted' : r.review.reason} (${r.review.event}, ${r.review.conclusion}, ${r.review.findings.length} finding(s))`);
      break;
    case 'exists':
      lines.push(`${r.reason}: ${r.pr!.url}`);
      break;
    case 'skipped':
      lines.push(`skipped: ${r.reason}`);
      break;
    case 'failed':
      lines.push(`failed (${r.stage}): ${r.reason}`);
      break;
  }
  return lines.join('\n') + '\n';
}
