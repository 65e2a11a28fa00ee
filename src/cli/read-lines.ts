// Line-by-line input for the streaming commands (logs mine, detect): reads a file or stdin in
// chunks of bytes and yields batches of lines, so memory stays bounded by one chunk whatever the
// input size.
// Lines end at "\n"; a trailing "\r" is dropped (CRLF files); a final line without "\n" still counts.
import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { drained, onReaderGone } from './byte-output.js';
import { CliError } from './errors.js';

export function openInput(file: string | undefined): Readable {
  if (file === undefined || file === '-') return process.stdin;
  return createReadStream(file, { highWaterMark: 1 << 20 });
}

/**
 * The input in pieces of whole lines: each piece is bytes ending with a newline, except that the
 * last may end without one. Turns a missing/unreadable file into a one-line CliError. A piece is
 * a read chunk cut after its last newline byte (a UTF-8 character never contains byte 10); the
 * bytes after it wait for the next chunk.
 */
export async function* lineChunks(input: Readable, what: string): AsyncGenerator<Buffer> {
  let rest: Buffer[] = [];
  try {
    for await (const chunk of input) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      const last = buf.lastIndexOf(10);
      if (last < 0) {
        rest.push(buf);
        continue;
      }
      let from = 0;
      if (rest.length > 0) {
        // the line cut at the previous chunk's end, joined on its own (not the whole chunk)
        from = buf.indexOf(10) + 1;
        rest.push(buf.subarray(0, from));
        yield Buffer.concat(rest);
        rest = [];
      }
      if (last + 1 < buf.length) rest.push(buf.subarray(last + 1));
      if (from <= last) yield buf.subarray(from, last + 1);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new CliError(`${what}: no such file: ${e.path ?? ''}`);
    if (e.code === 'EISDIR') throw new CliError(`${what}: is a directory: ${e.path ?? ''}`);
    if (e.code === 'EACCES') throw new CliError(`${what}: permission denied: ${e.path ?? ''}`);
    throw new CliError(`${what}: cannot read input (${e.code ?? e.message})`);
  }
  if (rest.length > 0) yield Buffer.concat(rest);
}

/** Batches of complete lines, as strings (see lineChunks); a trailing "\r" is dropped. */
export async function* lineBatches(input: Readable, what: string): AsyncGenerator<string[]> {
  for await (const chunk of lineChunks(input, what)) {
    const end = chunk[chunk.length - 1] === 10 ? chunk.length - 1 : chunk.length;
    const lines = chunk.toString('utf8', 0, end).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    yield lines;
  }
}

/** Buffered writer honouring back-pressure; an EPIPE (reader went away) ends output quietly. */
export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;
  private closed = false;

  constructor(private readonly out: Writable = process.stdout) {
    onReaderGone(out, () => {
      this.closed = true;
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
    if (!this.out.write(data)) await drained(this.out);
  }
}

/** RFC-4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(s: string): string {
  if (/[",\r\n]/.test(s)) return '"' + s.replace(/"/g, '""') + '"';
  return s;
}
