#!/usr/bin/env node
// Runs the compiled CLI (built by `npm install` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('devops-commander: not built yet; run `npm install` (or `npm run build`) in the checkout\n');
  process.exit(1);
}
await import(main.href);
