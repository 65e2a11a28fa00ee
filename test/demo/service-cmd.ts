// How tests start the demo service and other entry points as real processes: the compiled
// build when it exists (`npm test` builds before vitest), else the TypeScript source through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** argv (after the node binary) that runs `rel` (a path like 'demo/service/server' without extension). */
export function entryArgs(rel: string): string[] {
  const built = `${root}dist/${rel}.js`;
  if (existsSync(built)) return [built];
  return ['--import', 'tsx', `${root}${rel}.ts`];
}

export const DEMO_SERVICE_ARGS = (): string[] => entryArgs('demo/service/server');
