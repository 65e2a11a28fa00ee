// Normalising GET /api/policy/versions into what the Policy page draws. The policy API is
// built separately; fields are read defensively so a richer or leaner answer still renders.

export interface PolicyVersionView {
  version: string;
  createdAt?: number;
  parent?: string;
  active: boolean;
  /** what this version learned from, as one line (outcomes, simulated incidents, …) */
  learnedFrom: string;
  accuracy?: number;
  reward?: number;
  /** share of each action among what it learned from or decided (0..1) */
  actionMix: Record<string, number>;
  /** 'prior' | 'online' | 'import' … */
  kind?: string;
  /** every numeric metric the server recorded for the version */
  metrics: Record<string, number>;
  /** off-policy estimate of the version's value (doubly robust), when recorded */
  estimatedValue?: number;
}

type R = Record<string, unknown>;
const obj = (v: unknown): R => (v && typeof v === 'object' && !Array.isArray(v) ? (v as R) : {});
const num = (...vs: unknown[]): number | undefined => vs.find((v) => typeof v === 'number' && Number.isFinite(v)) as number | undefined;

function toMs(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function describeSource(v: unknown): string {
  if (typeof v === 'string') return v;
  const t = obj(v);
  // The policy store's `training` record: {description, count, from?, to?}.
  if (typeof t.description === 'string') {
    return typeof t.count === 'number' ? `${t.description} · ${t.count.toLocaleString('en-US')} outcome${t.count === 1 ? '' : 's'} in total` : t.description;
  }
  if (Array.isArray(v)) return v.map(describeSource).join(', ');
  const o = obj(v);
  const parts = Object.entries(o)
    .filter(([, x]) => typeof x === 'number' || typeof x === 'string')
    .map(([k, x]) => `${k}: ${typeof x === 'number' ? x.toLocaleString('en-US') : x}`);
  return parts.join(', ');
}

function mix(v: unknown): Record<string, number> {
  const o = obj(v);
  const entries = Object.entries(o).filter((e): e is [string, number] => typeof e[1] === 'number');
  const total = entries.reduce((a, [, x]) => a + x, 0);
  // Counts are turned into shares; shares (summing to ~1) stay as they are.
  return Object.fromEntries(entries.map(([k, x]) => [k, total > 1.001 ? x / total : x]));
}

export function policyVersions(body: unknown): PolicyVersionView[] {
  const b = obj(body);
  const list = Array.isArray(body) ? body : Array.isArray(b.versions) ? b.versions : [];
  const activeName = typeof b.active === 'string' ? b.active : typeof b.current === 'string' ? b.current : undefined;
  const out: PolicyVersionView[] = [];
  for (const raw of list) {
    const v = obj(raw);
    const version = typeof v.version === 'string' ? v.version : typeof v.id === 'string' ? v.id : undefined;
    if (!version) continue;
    const m = { ...obj(v.metrics), ...obj(v.evaluation), ...obj(v.stats) };
    out.push({
      version,
      createdAt: toMs(v.createdAt ?? v.at ?? v.created),
      parent: typeof v.parent === 'string' ? v.parent : typeof v.parentVersion === 'string' ? v.parentVersion : undefined,
      active: v.active === true || v.current === true || version === activeName,
      learnedFrom: describeSource(v.learnedFrom ?? v.training ?? v.trainedOn ?? v.source ?? v.data ?? ''),
      accuracy: num(v.accuracy, m.accuracy),
      reward: num(v.reward, v.meanReward, m.reward, m.meanReward, m.avgReward),
      actionMix: mix(v.actionMix ?? v.samples ?? v.actions ?? m.actionMix),
      kind: typeof v.kind === 'string' ? v.kind : undefined,
      metrics: Object.fromEntries(Object.entries(m).filter((e): e is [string, number] => typeof e[1] === 'number')),
      estimatedValue: num(m.ope_dr, m.estimatedValue),
    });
  }
  out.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
  return out;
}

/** Activation history [[epoch ms, version, why]] of GET /api/policy/versions, newest first. */
export function policyHistory(body: unknown): Array<{ at: number; version: string; why: string }> {
  const h = obj(body).history;
  if (!Array.isArray(h)) return [];
  return h
    .filter((x): x is [number, string, string] => Array.isArray(x) && typeof x[0] === 'number' && typeof x[1] === 'string')
    .map(([at, version, why]) => ({ at, version, why: typeof why === 'string' ? why : '' }))
    .reverse();
}
