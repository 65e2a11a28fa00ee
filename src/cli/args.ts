// Small argument parser: `--name value`, `--name=value` and boolean `--flag`. Node's
// util.parseArgs would do, but it throws messages that mention internals; this one gives the
// one-line errors the contract asks for.
import { CliError } from './errors.js';

export interface ArgSpec {
  /** option names that take a value */
  values?: string[];
  /** option names that are booleans */
  flags?: string[];
}

export interface ParsedArgs {
  values: Record<string, string>;
  flags: Set<string>;
  positional: string[];
}

export function parseArgs(args: string[], spec: ArgSpec): ParsedArgs {
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  const valueNames = new Set(spec.values ?? []);
  const flagNames = new Set(spec.flags ?? []);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (valueNames.has(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new CliError(`option --${name} needs a value`);
      values[name] = v;
    } else if (flagNames.has(name) && eq < 0) {
      flags.add(name);
    } else {
      throw new CliError(`unknown option --${name}`);
    }
  }
  return { values, flags, positional };
}

export function intOption(p: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = p.values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}
