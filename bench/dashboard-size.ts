// Prints the gzipped size of the dashboard's initial JavaScript: the entry script plus the
// chunks index.html preloads (what a first visit must download before the list shows).
// Lazy chunks (pages, uPlot) are listed separately. Target: initial ≤ 250 kB gzipped.
// Usage: npx tsx bench/dashboard-size.ts [--build]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dashboard/dist/', import.meta.url).pathname;
if (process.argv.includes('--build') || !existsSync(join(dist, 'index.html'))) {
  const { build } = await import('vite');
  await build({ configFile: new URL('../dashboard/vite.config.ts', import.meta.url).pathname, logLevel: 'warn' });
}

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = new Set<string>();
for (const m of html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\.?\/?([^"]+\.js)"/g)) initial.add(m[1]!);

const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
let initialRaw = 0;
let initialGz = 0;
for (const f of initial) {
  const buf = readFileSync(join(dist, f));
  initialRaw += buf.length;
  initialGz += gzipSync(buf, { level: 9 }).length;
}
let lazyGz = 0;
const lazy: string[] = [];
for (const f of readdirSync(join(dist, 'assets'))) {
  if (!f.endsWith('.js') || initial.has(`assets/${f}`)) continue;
  const gz = gzipSync(readFileSync(join(dist, 'assets', f)), { level: 9 }).length;
  lazyGz += gz;
  lazy.push(`  ${f}: ${kb(gz)}`);
}
console.log(`initial JS files: ${[...initial].join(', ')}`);
console.log(`initial JS: ${kb(initialRaw)} raw, ${kb(initialGz)} gzipped (budget 250 kB) ${initialGz <= 250 * 1024 ? 'OK' : 'OVER'}`);
console.log(`lazy chunks (${lazy.length}), ${kb(lazyGz)} gzipped in total:`);
console.log(lazy.sort().join('\n'));
