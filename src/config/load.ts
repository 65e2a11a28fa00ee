// Reads and validates a YAML config file; errors name the field and, where YAML knows it, the line.
import { readFileSync } from 'node:fs';
import { parseDocument, LineCounter } from 'yaml';
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
    const issue = result.error.issues[0];
    const path = issue.path;
    let line: number | undefined;
    const node = doc.getIn(path, true) as { range?: [number, number] } | undefined;
    if (node && node.range) line = lineCounter.linePos(node.range[0]).line;
    throw new ConfigError(`${fileName}${line ? `:${line}` : ''}: ${path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
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
