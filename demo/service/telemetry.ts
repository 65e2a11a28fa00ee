// OpenTelemetry for the demo service: traces and logs go over OTLP/HTTP protobuf to the
// commander's receiver (or any collector), with the resource attributes the commander keys on.
import { NodeSDK, logs as sdkLogs, resources, tracing } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { trace, type Tracer } from '@opentelemetry/api';
import { logs, SeverityNumber, type Logger } from '@opentelemetry/api-logs';

export interface Telemetry {
  tracer: Tracer;
  log(level: 'info' | 'warn' | 'error' | 'fatal', message: string, attributes?: Record<string, string | number>): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const SEVERITY = { info: SeverityNumber.INFO, warn: SeverityNumber.WARN, error: SeverityNumber.ERROR, fatal: SeverityNumber.FATAL };

export function startTelemetry(opts: { endpoint?: string; service: string; version: string; environment: string }): Telemetry {
  let sdk: NodeSDK | undefined;
  let logger: Logger | undefined;
  let logProcessor: sdkLogs.BatchLogRecordProcessor | undefined;
  let spanProcessor: tracing.BatchSpanProcessor | undefined;
  if (opts.endpoint) {
    const base = opts.endpoint.replace(/\/+$/, '');
    // Short delays: the commander judges a deployment within seconds in the demo.
    logProcessor = new sdkLogs.BatchLogRecordProcessor({
      exporter: new OTLPLogExporter({ url: `${base}/v1/logs` }),
      scheduledDelayMillis: 500,
      maxQueueSize: 4096,
    });
    spanProcessor = new tracing.BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }), {
      scheduledDelayMillis: 500,
      maxQueueSize: 4096,
    });
    sdk = new NodeSDK({
      resource: resources.resourceFromAttributes({
        'service.name': opts.service,
        'service.version': opts.version,
        'deployment.environment.name': opts.environment,
      }),
      autoDetectResources: false,
      // Sample a quarter of traces, as production services do: under a surge, exporting every
      // span would itself grow memory and look like a leak.
      sampler: new tracing.TraceIdRatioBasedSampler(0.25),
      spanProcessors: [spanProcessor],
      logRecordProcessors: [logProcessor],
      instrumentations: [],
    });
    sdk.start();
    logger = logs.getLogger('demo-service', opts.version);
  }
  const tracer = trace.getTracer('demo-service', opts.version);
  return {
    tracer,
    log(level, message, attributes) {
      if (logger) logger.emit({ severityNumber: SEVERITY[level], severityText: level.toUpperCase(), body: message, attributes });
      if (level === 'fatal' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
    },
    async flush() {
      await Promise.all([logProcessor?.forceFlush(), spanProcessor?.forceFlush()]);
    },
    async shutdown() {
      await sdk?.shutdown();
    },
  };
}
