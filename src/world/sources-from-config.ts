// Signal sources from the `sources:` config section (and per-service `services.<name>.sources`):
// prometheus, loki, scrape and the OTLP receiver's buffer. For the composition root of
// `serve`: a world that watches real services builds its sources here and its actuator from
// `target:`.
import type { Clock } from '../core/clock.js';
import type { SignalSource } from '../core/types.js';
import type { Config } from '../config/schema.js';
import { PrometheusSource } from '../signals/prometheus.js';
import { LokiSource } from '../signals/loki.js';
import { ScrapeSource } from '../signals/scrape.js';
import { OtlpSource, type OtlpBuffer } from '../signals/otlp.js';

export interface ConfiguredSources {
  sources: SignalSource[];
  /** starts background scraping (scrape source) */
  start(): void;
  close(): Promise<void>;
}

export function sourcesFromConfig(config: Config, opts: { otlp?: OtlpBuffer; clock?: Clock } = {}): ConfiguredSources {
  const s = config.sources;
  const perService = Object.entries(config.services ?? {});
  const sources: SignalSource[] = [];
  let scrape: ScrapeSource | undefined;
  if (s.prometheus) {
    const services: NonNullable<ConstructorParameters<typeof PrometheusSource>[0]['services']> = {};
    for (const [name, svc] of perService) if (svc.sources?.prometheus) services[name] = svc.sources.prometheus;
    sources.push(new PrometheusSource({ ...s.prometheus, services }));
  }
  if (s.loki) {
    const services: Record<string, { query?: string }> = {};
    for (const [name, svc] of perService) if (svc.sources?.loki) services[name] = svc.sources.loki;
    sources.push(new LokiSource({ ...s.loki, services }));
  }
  if (s.scrape) {
    scrape = new ScrapeSource({
      targets: s.scrape.targets,
      intervalMs: s.scrape.intervalSeconds * 1000,
      ...(s.scrape.limits ? { limits: s.scrape.limits } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    sources.push(scrape);
  }
  if (s.otlp && opts.otlp) sources.push(new OtlpSource(opts.otlp));
  return {
    sources,
    start: () => scrape?.start(),
    close: async () => {
      await scrape?.close();
    },
  };
}
