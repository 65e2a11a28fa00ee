// Number formatting for finding texts: short, and every number shown is one of the finding's stats.

/** 3 significant digits, thousands grouped, no exponent for everyday magnitudes. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1).replace(/\.0$/, '');
  if (a >= 1) return v.toFixed(2).replace(/\.?0+$/, '');
  if (a === 0) return '0';
  return Number(v.toPrecision(2)).toString();
}

/** fraction → percent text */
export function fmtPct(v: number): string {
  return `${fmtNum(v * 100)}%`;
}

/** relative change → "+35%" or "×12" for large multiples */
export function fmtRel(rel: number | undefined): string {
  if (rel === undefined || !Number.isFinite(rel)) return 'new';
  if (rel >= 2) return `×${fmtNum(rel + 1)}`;
  return `${rel >= 0 ? '+' : ''}${fmtNum(rel * 100)}%`;
}
