// The OpenTelemetry OTLP/HTTP receiver: POST /v1/logs, /v1/metrics, /v1/traces with JSON or
// protobuf bodies (optionally gzip, deflate or br), as the OTLP specification describes, feeding OtlpBuffer.
// The routes live in their own encapsulated Fastify context so the protobuf/gzip parsing does
// not leak into the rest of the API. Dropped records are counted on /metrics.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, register as defaultRegister, type Registry } from 'prom-client';
import type { OtlpBuffer } from '../signals/otlp.js';
import { decodeOtlpProtobuf, encodeOtlpResponse, encodeRpcStatus, type OtlpSignal } from '../signals/otlp-proto.js';
import { checkOtlpJson, DEFAULT_OTLP_LIMITS, OtlpLimitError, type OtlpLimits } from '../signals/otlp-limits.js';
import { installBodyDecoding } from './body-decoding.js';

export interface OtlpRouteDeps {
  buffer: OtlpBuffer;
  /** where the receiver's counters go (default: prom-client's global registry) */
  registry?: Registry;
  /** largest accepted request body after decompression (default 8 MiB) */
  bodyLimitBytes?: number;
  /** nesting and element limits per request (signals/otlp-limits.ts) */
  limits?: OtlpLimits;
}

const PROTOBUF = 'application/x-protobuf';

function counter(registry: Registry, name: string, help: string): Counter<'signal' | 'reason'> | Counter<'signal'> {
  // Tests and restarts build several apps in one process: reuse a counter already registered.
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<'signal' | 'reason'>;
  return new Counter({ name, help, labelNames: name.includes('dropped') ? ['signal', 'reason'] : ['signal'], registers: [registry] });
}

export async function registerOtlpRoutes(app: FastifyInstance, deps: OtlpRouteDeps): Promise<void> {
  const registry = deps.registry ?? defaultRegister;
  const dropped = counter(registry, 'otlp_receiver_dropped_records_total', 'OTLP records not kept by the receiver, by signal and reason') as Counter<
    'signal' | 'reason'
  >;
  const received = counter(registry, 'otlp_receiver_received_records_total', 'OTLP records received, by signal') as Counter<'signal'>;
  // Initialise the series at 0 so dashboards and tests see them before the first drop.
  for (const s of ['logs', 'metrics', 'traces']) {
    dropped.inc({ signal: s, reason: 'evicted' }, 0);
    received.inc({ signal: s }, 0);
  }
  deps.buffer.onDrop((signal, reason, n) => dropped.inc({ signal, reason }, n));
  const bodyLimit = deps.bodyLimitBytes ?? 8 * 1024 * 1024;
  const limits = deps.limits ?? DEFAULT_OTLP_LIMITS;

  await app.register(async (otlp) => {
    otlp.addContentTypeParser(PROTOBUF, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    // Exporters may compress (OTEL_EXPORTER_OTLP_COMPRESSION=gzip): inflated with the limit
    // counted on the inflated bytes (a no-op when the root app already did it)
    installBodyDecoding(otlp);

    const handler = (signal: OtlpSignal) => async (req: FastifyRequest, reply: FastifyReply) => {
      const isProto = String(req.headers['content-type'] ?? '').startsWith(PROTOBUF);
      const fail = (code: number, message: string): FastifyReply =>
        isProto
          ? reply.code(code).type(PROTOBUF).send(Buffer.from(encodeRpcStatus(code === 400 ? 3 : 13, message)))
          : reply.code(code).send({ code: code === 400 ? 3 : 13, message });
      let body: unknown;
      try {
        if (isProto) body = decodeOtlpProtobuf(signal, req.body as Buffer, limits);
        else checkOtlpJson((body = req.body), limits);
      } catch (e) {
        if (e instanceof OtlpLimitError) return fail(400, `${signal} request refused: ${e.message}`);
        return fail(400, `cannot decode ${signal} protobuf: ${(e as Error).message}`);
      }
      let rejected: number;
      const before = deps.buffer.received[signal];
      try {
        rejected =
          signal === 'logs' ? deps.buffer.ingestLogs(body) : signal === 'traces' ? deps.buffer.ingestTraces(body) : deps.buffer.ingestMetrics(body);
      } catch (e) {
        return fail(400, `invalid ${signal} request: ${(e as Error).message}`);
      }
      received.inc({ signal }, deps.buffer.received[signal] - before);
      const message = rejected > 0 ? `${rejected} ${signal} records not kept (receiver limits)` : undefined;
      if (isProto) return reply.type(PROTOBUF).send(Buffer.from(encodeOtlpResponse(signal, rejected, message)));
      const field = signal === 'logs' ? 'rejectedLogRecords' : signal === 'traces' ? 'rejectedSpans' : 'rejectedDataPoints';
      return reply.send(rejected > 0 ? { partialSuccess: { [field]: rejected, errorMessage: message } } : {});
    };
    otlp.post('/v1/logs', { bodyLimit }, handler('logs'));
    otlp.post('/v1/metrics', { bodyLimit }, handler('metrics'));
    otlp.post('/v1/traces', { bodyLimit }, handler('traces'));
  });
}
