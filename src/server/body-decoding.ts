// Request bodies sent with Content-Encoding gzip, deflate or br, inflated for every route with the
// route's body limit counted on the INFLATED bytes while they stream, so a few kilobytes of
// compression bomb stop at the limit instead of being inflated (and buffered) whole.
//
// Hand-written because Fastify has no decompression of its own and @fastify/compress's request
// side inflates without a limit. The wiring is the delicate part: Fastify stops listening to the
// body stream when it answers 413, so every stream here always keeps an error listener (an
// 'error' emitted with none kills the process), and the inflater is torn down the moment the
// limit is crossed so it does not go on inflating for nobody.
import { Transform, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, type BrotliDecompress, type Gunzip, type Inflate } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const INFLATERS = new Map<string, () => Gunzip | Inflate | BrotliDecompress>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

/** An error Fastify answers with its status (the server's error handler reads statusCode). */
export function httpError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

/** Installs the inflating preParsing hook; on the root instance it covers every route. */
export function installBodyDecoding(app: FastifyInstance): void {
  app.addHook('preParsing', async (req, _reply, payload) => inflatedBody(req, payload));
}

function hasBody(req: FastifyRequest): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

export function inflatedBody(req: FastifyRequest, payload: Readable): Readable {
  const header = req.headers['content-encoding'];
  const enc = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim().toLowerCase();
  if (enc === '' || enc === 'identity' || !hasBody(req)) return payload;
  const make = INFLATERS.get(enc);
  if (!make) throw httpError(415, `unsupported content-encoding '${enc.slice(0, 40)}': send gzip, deflate, br or an uncompressed body`);
  // inner contexts that install this hook too (the OTLP receiver) see the body as plain
  delete req.headers['content-encoding'];

  const limit = req.routeOptions.bodyLimit;
  const inflater = make();
  let inflated = 0;
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      inflated += chunk.length;
      // refuse before passing the chunk on: Fastify never holds more than the limit
      if (inflated > limit) return done(httpError(413, `decompressed body larger than the limit of ${limit} bytes`));
      done(null, chunk);
    },
  }) as Transform & { receivedEncodedLength: number };
  // Fastify compares this with Content-Length (a truncated body is a 400) and with the limit
  out.receivedEncodedLength = 0;
  const countEncoded = (c: Buffer): void => {
    out.receivedEncodedLength += c.length;
  };
  payload.on('data', countEncoded);

  let torn = false;
  const tearDown = (): void => {
    if (torn) return;
    torn = true;
    payload.off('data', countEncoded);
    payload.unpipe(inflater);
    inflater.destroy();
    // read and drop the rest of the (compressed) upload so the answer can still be sent
    payload.resume();
  };
  inflater.on('error', (e: Error) => {
    tearDown();
    out.destroy(httpError(400, `cannot decompress the ${enc} body: ${e.message}`));
  });
  out.on('error', tearDown);
  out.on('close', tearDown);
  payload.on('error', (e: Error) => out.destroy(e));
  payload.pipe(inflater).pipe(out);
  return out;
}
