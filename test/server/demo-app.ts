// One fixture for the tests that run the whole app in demo mode on a temporary SQLite file:
// it builds the config (embedded defaults plus the test's overrides), starts the app, and
// removes everything after the file's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { startApp, type RunningApp } from '../../src/app.js';

export interface DemoAppFixture {
  config: Config;
  /** starts (or restarts, after close) the app on the same database */
  start(): Promise<RunningApp>;
}

export function demoAppFixture(name: string, overrides: Record<string, unknown>): DemoAppFixture {
  const dir = mkdtempSync(join(tmpdir(), `commander-${name}-`));
  const config = configSchema.parse({
    server: { port: 0, dashboardDir: join(dir, 'none') },
    store: { kind: 'sqlite', path: join(dir, 'c.db') },
    ...overrides,
  });
  let app: RunningApp | undefined;
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    config,
    async start() {
      app = await startApp({ config, mode: 'demo', log: () => undefined });
      return app;
    },
  };
}
