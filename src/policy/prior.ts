// The shipped prior: the bandit model `devops-commander train` produces, committed as
// src/policy/prior.json and read at run time. The file is found from this module's own location so
// it works from src/ (tsx, tests) and from dist/src/ (the built bin) alike. Reading one shipped file
// is the only I/O in policy/; everything else here is pure.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BanditModel } from './bandit.js';

const PRIOR_REL = join('src', 'policy', 'prior.json');

/** The checkout's root: the nearest folder above this module with a package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = resolve(dir, '..');
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

export function defaultPriorPath(): string {
  return join(packageRoot(), PRIOR_REL);
}

export function isBanditModel(x: unknown): x is BanditModel {
  const m = x as BanditModel;
  return !!m && m.format === 'devops-commander/bandit-v1' && Array.isArray(m.featureNames) && !!m.arms && !!m.arms.continue && !!m.arms.rollback;
}

export function loadPrior(path = defaultPriorPath()): BanditModel {
  if (!existsSync(path)) throw new Error(`policy prior not found at ${path} (run: devops-commander train)`);
  const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isBanditModel(data)) throw new Error(`${path} is not a bandit policy model`);
  return data;
}

/**
 * Write a model compactly (the file is committed): 12 significant digits, because the posterior
 * precision matrices are ill-conditioned and coarser rounding can break their positive definiteness.
 */
export function savePrior(model: BanditModel, path = defaultPriorPath()): void {
  const json = JSON.stringify(model, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v));
  writeFileSync(path, json + '\n');
}
