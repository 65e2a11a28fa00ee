import { describe, expect, it } from 'vitest';
import { parseGenericDeploy } from '../../src/intake/generic.js';

const now = Date.UTC(2026, 2, 2, 12, 0, 0);
const ok = (body: unknown, key?: string) => parseGenericDeploy(body, { now, ...(key ? { idempotencyKey: key } : {}) });

describe('generic deployment intake', () => {
  it('accepts the concept body and fills defaults', () => {
    const r = ok({ service: 'checkout', version: 'v2.0.0' });
    expect(r).toMatchObject({ ok: true, spec: { service: 'checkout', environment: 'production', version: 'v2.0.0', at: now } });
  });

  it('takes every optional field', () => {
    const r = ok({ service: 'checkout', environment: 'staging', version: '2.0.0+build.7', previousVersion: 'v1.9.0', commit: 'ABCDEF1234567', at: '2026-03-02T11:59:00Z', replicas: 4 });
    expect(r.ok && r.spec).toEqual({ service: 'checkout', environment: 'staging', version: '2.0.0+build.7', previousVersion: 'v1.9.0', commit: 'abcdef1234567', at: now - 60_000, replicas: 4 });
  });

  it('uses the Idempotency-Key, else service+version+at', () => {
    const a = ok({ service: 'checkout', version: 'v2', at: now }, 'delivery-1');
    expect(a.ok && a.idempotencyKey).toBe('delivery-1');
    const b = ok({ service: 'checkout', version: 'v2', at: now });
    const c = ok({ service: 'checkout', version: 'v2', at: new Date(now).toISOString() });
    expect(b.ok && c.ok && b.idempotencyKey === c.idempotencyKey).toBe(true);
  });

  it.each([
    [{ version: 'v1' }, 'service', /required/],
    [{ service: 42, version: 'v1' }, 'service', /string/],
    [{ service: 'checkout; rm -rf /', version: 'v1' }, 'service', /lowercase/],
    [{ service: 'check\u0000out', version: 'v1' }, 'service', /lowercase/],
    [{ service: 'Checkout', version: 'v1' }, 'service', /lowercase/],
    [{ service: '-rf', version: 'v1' }, 'service', /starting/],
    [{ service: 'checkout', version: 'v1$(id)' }, 'version', /only letters/],
    [{ service: 'checkout', version: '`reboot`' }, 'version', /only letters/],
    [{ service: 'checkout', version: 'v1\n' }, 'version', /only letters/],
    [{ service: 'checkout', version: '--help' }, 'version', /starting/],
    [{ service: 'checkout', version: 'v1..2' }, 'version', /'\.\.'/],
    [{ service: 'checkout', version: ['v1'] }, 'version', /string/],
    [{ service: 'checkout', version: 'v1', environment: 'prod|x' }, 'environment', /lowercase/],
    [{ service: 'checkout', version: 'v1', replicas: '3' }, 'replicas', /number/],
    [{ service: 'checkout', version: 'v1', replicas: 1.5 }, 'replicas', /whole/],
    [{ service: 'checkout', version: 'v1', commit: 'xyz' }, 'commit', /hex/],
    [{ service: 'checkout', version: 'v1', at: 'yesterday' }, 'at', /ISO-8601/],
    [{ service: 'checkout', version: 'v1', at: now + 3_600_000 }, 'at', /future/],
  ])('refuses %j naming the field', (body, field, reason) => {
    const r = ok(body);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.error).toMatch(reason);
    }
  });

  it('refuses non-objects and a bad Idempotency-Key', () => {
    for (const b of [null, [], 'checkout', 7]) expect(ok(b).ok).toBe(false);
    const r = ok({ service: 'checkout', version: 'v1' }, 'has space');
    expect(r).toMatchObject({ ok: false, field: 'Idempotency-Key' });
  });
});
