// Line-by-line input for the streaming commands (logs mine, detect): reads a file or stdin in
// chunks and yields batches of lines, so memory stays bounded by one chunk whatever the input size.
// Lines end at "\n"; a trailing "\r" is dropped (CRLF files); a final line without "\n" still counts.
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { CliError } from './errors.js';

export function openInput(file: string | undefined): Readable {
  if (file === undefined || file === '-') {
    process.stdin.setEncoding('utf8');
    return process.stdin;
  }
  return createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
}

/** Batches of complete lines. Turns a missing/unreadable file into a one-line CliError. */
export async function* lineBatches(input: Readable, what: string): AsyncGenerator<string[]> {
  let rest = '';
  try {
    for await (const chunk of input) {
      const text = rest + (chunk as string);
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
      }
      if (lines.length > 0) yield lines;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new CliError(`${what}: no such file: ${e.path ?? ''}`);
    if (e.code === 'EISDIR') throw new CliError(`${what}: is a directory: ${e.path ?? ''}`);
    if (e.code === 'EACCES') throw new CliError(`${what}: permission denied: ${e.path ?? ''}`);
    throw new CliError(`${what}: cannot read input (${e.code ?? e.message})`);
  }
  if (rest.length > 0) yield [rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest];
}

/** Buffered writer honouring back-pressure; an EPIPE (reader went away) ends output quietly. */
export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;
  private closed = false;

  constructor(private readonly out: Writable = process.stdout) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async write(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0 || this.closed) {
      this.parts = [];
      this.size = 0;
      return;
    }
    const data = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.out.write(data)) await Promise.race([once(this.out, 'drain'), once(this.out, 'close')]);
  }
}

/** RFC-4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(s: string): string {
  if (/[",\r\n]/.test(s)) return '"' + s.replace(/"/g, '""') + '"';
  return s;
}
