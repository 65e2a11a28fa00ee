// The `sources:` config section: valid YAML builds the configured sources; mistakes give one
// clear line naming the field.
import { describe, expect, it } from 'vitest';
import { parseConfig, ConfigError } from '../../src/config/load.js';
import { sourcesFromConfig } from '../../src/world/sources-from-config.js';
import { OtlpBuffer } from '../../src/signals/otlp.js';
import type { PrometheusSource } from '../../src/signals/prometheus.js';

const YAML = `
sources:
  prometheus:
    url: http://prometheus.internal:9090
    preset: kubernetes
    rateWindow: 2m
  loki:
    url: http://loki.internal:3100
    query: '{namespace="\${environment}", app="\${service}"}'
  scrape:
    intervalSeconds: 5
    targets:
      - { service: checkout, url: "http://10.0.0.5:9100/metrics" }
  otlp: true
services:
  checkout:
    sources:
      prometheus:
        selector: 'namespace="shop", deployment="checkout"'
`;

describe('sources config', () => {
  it('builds prometheus, loki, scrape and otlp sources with per-service overrides', () => {
    const cfg = parseConfig(YAML, 'c.yml');
    const built = sourcesFromConfig(cfg, { otlp: new OtlpBuffer() });
    expect(built.sources.map((s) => s.name)).toEqual(['prometheus', 'loki', 'scrape', 'otlp']);
    const prom = built.sources[0] as PrometheusSource;
    const q = prom.queriesFor({ service: 'checkout', environment: 'prod', version: 'v1', at: 0 });
    expect(q.queries.memory_bytes).toBe('max(container_memory_working_set_bytes{namespace="shop", deployment="checkout"})');
    expect(q.queries.error_rate).toContain('[2m]');
    const other = prom.queriesFor({ service: 'search', environment: 'prod', version: 'v1', at: 0 });
    expect(other.limits.memory_bytes).toBe('max(kube_pod_container_resource_limits{namespace="prod", container="search", resource="memory"})');
  });

  it('rejects a bad source config with the field and line', () => {
    expect(() => parseConfig('sources:\n  prometheus:\n    url: not-a-url\n', 'c.yml')).toThrow(ConfigError);
    expect(() => parseConfig('sources:\n  prometheus:\n    url: not-a-url\n', 'c.yml')).toThrow(/c\.yml:3: sources\.prometheus\.url/);
    expect(() => parseConfig('sources:\n  scrape:\n    targets: []\n', 'c.yml')).toThrow(/sources\.scrape\.targets: list at least one target/);
    expect(() => parseConfig('sources:\n  prometheus:\n    url: http://p:9090\n    rateWindow: soon\n', 'c.yml')).toThrow(/rateWindow must look like 1m/);
  });
});
