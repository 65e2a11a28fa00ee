// Prometheus metrics of the commander itself (GET /metrics). It also implements the loop's
// hooks, so the loop reports without knowing prom-client exists.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WatchHooks } from '../loop/watch.js';

export class CommanderMetrics {
  readonly registry = new Registry();
  readonly deploymentsReceived = new Counter({ name: 'commander_deployments_received_total', help: 'Deployments received, by source', labelNames: ['source'], registers: [this.registry] });
  readonly watchesActive = new Gauge({ name: 'commander_watches_active', help: 'Deployments being watched now', registers: [this.registry] });
  readonly decisions = new Counter({ name: 'commander_decisions_total', help: 'Decisions recorded (when the action changed), by action', labelNames: ['action'], registers: [this.registry] });
  readonly actions = new Counter({ name: 'commander_actions_total', help: 'Actions, by action and result', labelNames: ['action', 'result'], registers: [this.registry] });
  readonly outcomes = new Counter({ name: 'commander_outcomes_total', help: 'Verified outcomes, by action and whether health recovered', labelNames: ['action', 'recovered'], registers: [this.registry] });
  readonly tickSeconds = new Histogram({ name: 'commander_tick_duration_seconds', help: 'Time of one watch tick (collect + analyze + decide + act)', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly sseClients = new Gauge({ name: 'commander_sse_clients', help: 'Connected live event stream clients', registers: [this.registry] });
  readonly sseRefused = new Counter({ name: 'commander_sse_refused_total', help: 'Live event stream connections refused at the cap, by HTTP status', labelNames: ['status'], registers: [this.registry] });
  readonly sseDisconnected = new Counter({ name: 'commander_sse_disconnected_total', help: 'Live event stream clients disconnected by the server, by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly requestsRejected = new Counter({
    name: 'commander_requests_rejected_total',
    help: 'Requests refused for their credentials (API token, webhook signature or secret, replayed delivery), by route, status and reason',
    labelNames: ['route', 'status', 'reason'],
    registers: [this.registry],
  });
  readonly droppedTelemetry = new Counter({ name: 'commander_telemetry_dropped_total', help: 'Telemetry records dropped (bounded buffers, bad records), by source and reason', labelNames: ['source', 'reason'], registers: [this.registry] });
  readonly watchErrors = new Counter({ name: 'commander_watch_errors_total', help: 'Watch steps that failed and were retried', registers: [this.registry] });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'commander_' });
  }

  /** For ingest code (OTLP receiver, scrapers): count records that were dropped. */
  dropTelemetry(source: string, reason: string, n = 1): void {
    this.droppedTelemetry.inc({ source, reason }, n);
  }

  hooks(onError?: (id: string, err: unknown) => void): WatchHooks {
    return {
      tick: (ms) => this.tickSeconds.observe(ms / 1000),
      decision: (action) => this.decisions.inc({ action }),
      action: (action, result) => this.actions.inc({ action, result }),
      outcome: ({ outcome }) => {
        this.outcomes.inc({ action: outcome.action, recovered: String(outcome.recovered) });
      },
      error: (id, err) => {
        this.watchErrors.inc();
        onError?.(id, err);
      },
    };
  }
}
