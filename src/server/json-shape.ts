// A look at JSON text before JSON.parse builds it: how deep it nests and how many values it
// holds, in one pass over the characters that allocates nothing. JSON.parse turns every `{}` of
// the text into a ~64-byte object, so an 8 MiB body of them is half a gigabyte of heap; with
// these limits checked first the parsed size is bounded by the counts, not by the bytes.
// Hand-written: JSON parsers (secure-json-parse, the built-in) have no depth or size budget.

export interface JsonShapeLimits {
  /** deepest nesting of arrays/objects */
  maxDepth: number;
  /** values of any kind (objects, arrays, strings, numbers, literals), object keys included */
  maxValues: number;
}

export const DEFAULT_JSON_LIMITS: JsonShapeLimits = { maxDepth: 64, maxValues: 500_000 };

/** Why the text exceeds the limits, or undefined when it does not (syntax is JSON.parse's job). */
export function jsonShapeError(text: string, limits: JsonShapeLimits = DEFAULT_JSON_LIMITS): string | undefined {
  let depth = 0;
  let values = 0;
  let inString = false;
  // a value starts at '[', '{', '"' or the first character of a number/literal
  let inScalar = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    switch (c) {
      case 0x5b: // [
      case 0x7b: // {
        inScalar = false;
        if (++depth > limits.maxDepth) return `JSON nested deeper than ${limits.maxDepth} levels`;
        if (++values > limits.maxValues) return `JSON holds more than ${limits.maxValues} values`;
        break;
      case 0x5d: // ]
      case 0x7d: // }
        inScalar = false;
        depth--;
        break;
      case 0x22: // "
        inString = true;
        inScalar = false;
        if (++values > limits.maxValues) return `JSON holds more than ${limits.maxValues} values`;
        break;
      case 0x2c: // ,
      case 0x3a: // :
      case 0x20:
      case 0x0a:
      case 0x0d:
      case 0x09:
        inScalar = false;
        break;
      default:
        if (!inScalar) {
          inScalar = true;
          if (++values > limits.maxValues) return `JSON holds more than ${limits.maxValues} values`;
        }
    }
  }
  return undefined;
}
