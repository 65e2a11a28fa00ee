// The scale-out config: `queue: {kind: pgboss}` is checked against the store and the watch
// length, with errors that name the field and its line.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { configError } from './config-error.js';
import { queueExpireInSeconds } from '../../src/config/schema.js';
import { scaleOutSettings } from '../../src/app-queue.js';


const PG = 'store: {kind: postgres, url: "postgres://db/commander"}';

describe('queue config', () => {
  it('defaults to the in-process queue', () => {
    expect(parseConfig('', 'c.yaml').queue).toEqual({ kind: 'inprocess' });
  });

  it('pgboss: defaults, queue url from the store, expiry above the longest watch', () => {
    const c = parseConfig(`${PG}\nqueue: {kind: pgboss}\nwatch: {windowSeconds: 600, verifySeconds: 180, stepSeconds: 15}\nclock: {speed: 2}`, 'c.yaml');
    expect(c.queue).toMatchObject({ kind: 'pgboss', schema: 'devops_commander_queue', concurrency: 10, retryLimit: 5 });
    // (600 + 180) / 2 = 390 s of watch, + 2 steps (15 s real) + 60 s
    expect(queueExpireInSeconds(c)).toBe(465);
    expect(scaleOutSettings(c)).toMatchObject({ url: 'postgres://db/commander', expireInSeconds: 465 });
  });

  it('pgboss needs the postgres store', () => {
    expect(configError('queue: {kind: pgboss}')).toBe('c.yaml:1: queue.kind: the pgboss queue needs store: {kind: postgres, url}: the API and the workers share one timeline');
  });

  it('an expiry at or below the longest watch is refused, naming the field and line', () => {
    const msg = configError(`${PG}\nwatch: {windowSeconds: 300, verifySeconds: 150}\nclock: {speed: 10}\nqueue:\n  kind: pgboss\n  expireInSeconds: 45`);
    expect(msg).toMatch(/^c\.yaml:6: queue\.expireInSeconds: must exceed the longest watch, .* = 45 s/);
    expect(parseConfig(`${PG}\nwatch: {windowSeconds: 300, verifySeconds: 150}\nclock: {speed: 10}\nqueue: {kind: pgboss, expireInSeconds: 46}`, 'c.yaml').queue).toMatchObject({ expireInSeconds: 46 });
  });

  it('unknown keys and bad values are refused', () => {
    expect(configError(`${PG}\nqueue: {kind: pgboss, concurency: 3}`)).toMatch(/queue\.concurency/);
    expect(configError(`${PG}\nqueue: {kind: pgboss, schema: "a;drop"}`)).toMatch(/queue\.schema: must be a plain PostgreSQL identifier/);
    expect(configError(`${PG}\nqueue: {kind: rabbit}`)).toMatch(/queue\.kind/);
  });

  it('scaleOutSettings re-checks what command-line overrides can undo (--db, --speed)', () => {
    const c = parseConfig(`${PG}\nqueue: {kind: pgboss, expireInSeconds: 100}\nwatch: {windowSeconds: 600, verifySeconds: 180}\nclock: {speed: 10}`, 'c.yaml');
    expect(() => scaleOutSettings({ ...c, store: { kind: 'sqlite', path: 'x.db' } })).toThrow(/needs store: \{kind: postgres/);
    expect(() => scaleOutSettings({ ...c, clock: { speed: 5 } })).toThrow(/expireInSeconds \(100\) must exceed the longest watch, .* = 156 s/);
    expect(() => scaleOutSettings(parseConfig('', 'c.yaml'))).toThrow(/needs queue: \{kind: pgboss\}/);
  });
});
