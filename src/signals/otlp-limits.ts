// Limits on what one OTLP request may hold, checked before anything is expanded: how deeply
// attribute and body values nest (AnyValue → ArrayValue/KeyValueList → AnyValue …) and how many
// elements the request has in all. Real exporters send a few levels and a few thousand records
// per batch; a hostile request that nests or repeats empty values is refused with a 400 that
// says which limit it broke. The protobuf encoding is scanned on the wire (otlp-proto.ts) with
// the same limits, before protobufjs builds ~130 bytes of objects per 2-byte message.

export interface OtlpLimits {
  /** arrays/key-value lists inside one attribute or body value */
  maxValueNesting: number;
  /** objects, arrays and values (JSON) or messages and repeated numbers (protobuf) per request */
  maxElements: number;
}

export const DEFAULT_OTLP_LIMITS: OtlpLimits = { maxValueNesting: 8, maxElements: 200_000 };

export class OtlpLimitError extends Error {}

export const nestingMessage = (l: OtlpLimits): string => `attribute or body value nested deeper than ${l.maxValueNesting} levels (arrayValue/kvlistValue)`;
export const elementsMessage = (l: OtlpLimits): string => `request holds more than ${l.maxElements} elements`;

const NESTING_KEYS = new Set(['arrayValue', 'kvlistValue']);

/** Throws OtlpLimitError when a parsed OTLP/JSON request breaks the limits (no recursion). */
export function checkOtlpJson(body: unknown, limits: OtlpLimits = DEFAULT_OTLP_LIMITS): void {
  const stack: Array<{ v: unknown; nest: number }> = [{ v: body, nest: 0 }];
  let elements = 0;
  while (stack.length > 0) {
    const { v, nest } = stack.pop()!;
    if (++elements > limits.maxElements) throw new OtlpLimitError(elementsMessage(limits));
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push({ v: x, nest });
      continue;
    }
    for (const [k, x] of Object.entries(v)) {
      const deeper = NESTING_KEYS.has(k) ? nest + 1 : nest;
      if (deeper > limits.maxValueNesting) throw new OtlpLimitError(nestingMessage(limits));
      stack.push({ v: x, nest: deeper });
    }
  }
}
