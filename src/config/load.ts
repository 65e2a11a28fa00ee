// Reads and validates a YAML config file; errors name the field and, where YAML knows it, the line.
import { readFileSync } from 'node:fs';
import { parseDocument, LineCounter, isMap, isSeq, isScalar, type Document } from 'yaml';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {}

export function parseConfig(text: string, fileName = 'config'): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    throw new ConfigError(`${fileName}${pos ? `:${pos.line}` : ''}: ${e.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0] as (typeof result.error.issues)[number] & { keys?: string[]; issues?: Array<{ message: string }> };
    const path = [...issue.path];
    let message = issue.message;
    // point at the offending key itself, and say what was wrong with it
    if (issue.code === 'unrecognized_keys' && issue.keys?.length) path.push(issue.keys[0]);
    if (issue.code === 'invalid_key' && issue.issues?.[0]) message = issue.issues[0].message;
    const line = lineOf(doc, path, lineCounter);
    throw new ConfigError(`${fileName}${line ? `:${line}` : ''}: ${path.map(String).join('.') || '(root)'}: ${message}`);
  }
  return result.data;
}

/**
 * The line of the deepest node on `path` that exists: the key's line for map entries (a block
 * value starts on the next line, but the key is what the person must fix).
 */
function lineOf(doc: Document, path: PropertyKey[], lc: LineCounter): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  const at = (n: unknown) => {
    const r = (n as { range?: [number, number] } | null)?.range;
    return r ? lc.linePos(r[0]).line : undefined;
  };
  line = at(node);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      line = at(pair.key) ?? at(pair.value) ?? line;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      line = at(item) ?? line;
      node = item;
    } else break;
  }
  return line;
}

export function loadConfig(file?: string): Config {
  if (!file) return configSchema.parse({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseConfig(text, file);
}
