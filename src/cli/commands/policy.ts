// `devops-commander policy list|show V|compare A B|rollback V [--db FILE] [--json]`: the stored
// policy versions (policy/versions.ts). When nothing is stored yet the shipped prior is installed
// as the first version, so every command has something to show.
import { existsSync } from 'node:fs';
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { createSqliteStore } from '../../store/sqlite.js';
import { PolicyVersions } from '../../policy/versions.js';
import { loadPrior } from '../../policy/prior.js';
import { ACTIONS } from '../../core/types.js';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { values: ['db', 'prior'], flags: ['json'] });
  const [sub, a, b] = p.positional;
  if (!sub || !['list', 'show', 'compare', 'rollback'].includes(sub)) throw new CliError('usage: policy list|show V|compare A B|rollback V [--db FILE]');
  const db = p.values.db ?? './data/commander.db';
  if (sub !== 'list' && !existsSync(db)) throw new CliError(`no database at ${db} (use --db FILE)`);
  const store = createSqliteStore(db);
  const json = p.flags.has('json');
  const print = (x: unknown, text: string): void => {
    process.stdout.write((json ? JSON.stringify(x, null, 1) : text) + '\n');
  };
  try {
    const versions = new PolicyVersions(store);
    let prior;
    try {
      prior = loadPrior(p.values.prior);
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
    await versions.ensurePrior(prior, Date.now());
    const idx = (await versions.index())!;
    if (sub === 'list') {
      const rows = idx.versions.map((v) => `${v.version === idx.active ? '*' : ' '} ${v.version.padEnd(24)} ${v.kind.padEnd(7)} ${new Date(v.createdAt).toISOString()}  learned from ${v.training.count}  ${v.training.description}`);
      print(idx, rows.join('\n'));
    } else if (sub === 'show') {
      if (!a) throw new CliError('policy show needs a version');
      const v = await versions.get(a);
      if (!v) throw new CliError(await versions.missing(a));
      const m = v.model;
      const text = [
        `${m.version}${a === idx.active ? ' (active)' : ''}  kind ${v.meta.kind}${v.meta.parent ? `  parent ${v.meta.parent}` : ''}`,
        `training: ${v.meta.training.description} (${v.meta.training.count} outcomes${v.meta.training.from ? `, ${new Date(v.meta.training.from).toISOString()} … ${new Date(v.meta.training.to ?? v.meta.training.from).toISOString()}` : ''})`,
        `features: ${m.featureNames.length}, acting threshold ${m.actThreshold}, memory ${m.memory.length} incidents`,
        `rewards learned per action: ${ACTIONS.map((x) => `${x} ${Math.round(m.arms[x].n)}`).join(', ')}`,
        `metrics: ${Object.entries(v.meta.metrics).map(([k, x]) => `${k}=${x}`).join(' ') || '-'}`,
      ].join('\n');
      print({ meta: v.meta, actThreshold: m.actThreshold, featureNames: m.featureNames, samples: Object.fromEntries(ACTIONS.map((x) => [x, m.arms[x].n])) }, text);
    } else if (sub === 'compare') {
      if (!a || !b) throw new CliError('policy compare needs two versions');
      let c;
      try {
        c = await versions.compare(a, b);
      } catch (e) {
        throw new CliError(e instanceof Error ? e.message : String(e));
      }
      const text = [
        `${a} → ${b}`,
        `rewards learned: ${ACTIONS.map((x) => `${x} ${Math.round(c.samples[x][0])}→${Math.round(c.samples[x][1])}`).join(', ')}`,
        'largest weight changes:',
        ...c.changed.map((x) => `  ${x.action.padEnd(9)} ${x.feature.padEnd(24)} ${x.a.toFixed(4)} → ${x.b.toFixed(4)} (${x.delta >= 0 ? '+' : ''}${x.delta.toFixed(4)})`),
      ].join('\n');
      print(c, text);
    } else {
      if (!a) throw new CliError('policy rollback needs a version');
      try {
        const prev = idx.active;
        const meta = await versions.rollback(a, Date.now(), 'rollback (cli)');
        await store.append({ deploymentId: null, type: 'policy.updated', at: Date.now(), actor: 'user:cli', payload: { action: 'rollback', from: prev, to: meta.version } });
        print({ active: meta.version, previous: prev }, `active policy: ${meta.version} (was ${prev})`);
      } catch (e) {
        throw new CliError(e instanceof Error ? e.message : String(e));
      }
    }
  } finally {
    await store.close();
  }
  return 0;
}
