// OTLP/HTTP protobuf decoding. @opentelemetry/otlp-transformer 0.2xx only ships hand-written
// encoders (no generated root with .decode), so the receiver loads the message definitions it
// needs with protobufjs. Field numbers are copied from opentelemetry-proto v1.x
// (common, resource, logs, trace, metrics and their collector services); fields the receiver
// does not read are left out, and protobuf skips unknown fields, so any newer client still decodes.
import protobuf from 'protobufjs';
import { DEFAULT_OTLP_LIMITS, OtlpLimitError, elementsMessage, nestingMessage, type OtlpLimits } from './otlp-limits.js';

const PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }

message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2;
  string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6; bytes trace_id = 9;
  bytes span_id = 10; string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }

message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }

message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
}
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }

message RpcStatus { int32 code = 1; string message = 2; }
`;

const root = protobuf.parse(PROTO, { keepCase: false }).root.resolveAll();
const type = (n: string): protobuf.Type => root.lookupType(`otlp.${n}`);

export type OtlpSignal = 'logs' | 'metrics' | 'traces';
const REQUEST: Record<OtlpSignal, protobuf.Type> = {
  logs: type('ExportLogsServiceRequest'),
  metrics: type('ExportMetricsServiceRequest'),
  traces: type('ExportTraceServiceRequest'),
};
const RESPONSE: Record<OtlpSignal, { type: protobuf.Type; field: string }> = {
  logs: { type: type('ExportLogsServiceResponse'), field: 'rejectedLogRecords' },
  metrics: { type: type('ExportMetricsServiceResponse'), field: 'rejectedDataPoints' },
  traces: { type: type('ExportTraceServiceResponse'), field: 'rejectedSpans' },
};

/**
 * Decodes a protobuf request into the same shape OTLP/JSON uses (camelCase fields, 64-bit
 * integers as strings, ids as hex), so one normaliser serves both encodings.
 */
export function decodeOtlpProtobuf(signal: OtlpSignal, buf: Uint8Array, limits: OtlpLimits = DEFAULT_OTLP_LIMITS): unknown {
  const t = REQUEST[signal];
  scanLimits(t, buf, limits);
  const msg = t.decode(buf);
  const obj = t.toObject(msg, { longs: String, bytes: String, enums: Number, defaults: false });
  fixIds(obj);
  return obj;
}

const NESTING_TYPES = new Set(['ArrayValue', 'KeyValueList']);
const WIDTH: Record<string, number> = { fixed64: 8, sfixed64: 8, double: 8, fixed32: 4, sfixed32: 4, float: 4 };

/**
 * Walks the wire format once with the schema, allocating nothing per element: counts the
 * messages and repeated numbers protobufjs would build and how deeply values nest, and throws
 * OtlpLimitError past the limits. Malformed input is left for decode() to report.
 */
function scanLimits(root: protobuf.Type, buf: Uint8Array, limits: OtlpLimits): void {
  const r = protobuf.Reader.create(buf);
  const stack: Array<{ type: protobuf.Type; end: number; nest: number }> = [{ type: root, end: buf.length, nest: 0 }];
  let elements = 0;
  const count = (n: number): void => {
    elements += n;
    if (elements > limits.maxElements) throw new OtlpLimitError(elementsMessage(limits));
  };
  try {
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (r.pos >= top.end) {
        stack.pop();
        continue;
      }
      const tag = r.uint32();
      const wire = tag & 7;
      const field = top.type.fieldsById[tag >>> 3];
      const sub = field?.resolvedType;
      if (field && wire === 2 && sub instanceof protobuf.Type) {
        const end = r.uint32() + r.pos;
        if (end > top.end) return; // truncated: decode() says so
        count(1);
        const nest = top.nest + (NESTING_TYPES.has(sub.name) ? 1 : 0);
        if (nest > limits.maxValueNesting) throw new OtlpLimitError(nestingMessage(limits));
        stack.push({ type: sub, end, nest });
      } else if (field?.repeated && wire === 2 && !sub) {
        const len = r.uint32();
        count(Math.ceil(len / (WIDTH[field.type] ?? 1)));
        r.skip(len);
      } else {
        if (field?.repeated) count(1);
        r.skipType(wire);
      }
    }
  } catch (e) {
    if (e instanceof OtlpLimitError) throw e;
    // malformed: decode() reports it with its own message
  }
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
// protobufjs renders bytes as base64; OTLP/JSON writes trace and span ids as hex.
function fixIds(o: unknown): void {
  if (Array.isArray(o)) {
    for (const x of o) fixIds(x);
  } else if (o && typeof o === 'object') {
    const rec = o as Record<string, unknown>;
    for (const [k, v] of Object.entries(rec)) {
      if (ID_FIELDS.has(k) && typeof v === 'string') rec[k] = Buffer.from(v, 'base64').toString('hex');
      else if (typeof v === 'object') fixIds(v);
    }
  }
}

export function encodeOtlpResponse(signal: OtlpSignal, rejected: number, errorMessage?: string): Uint8Array {
  const { type: t, field } = RESPONSE[signal];
  if (rejected <= 0) return t.encode(t.create({})).finish();
  return t.encode(t.fromObject({ partialSuccess: { [field]: rejected, errorMessage: errorMessage ?? '' } })).finish();
}

/** google.rpc.Status, which OTLP/HTTP returns in error responses. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  const t = type('RpcStatus');
  return t.encode(t.create({ code, message })).finish();
}
