// The reason a Kubernetes API call failed, as one line: @kubernetes/client-node puts the API's
// Status object (sometimes still as JSON text) in `body` and the HTTP status in `code`.
export function kubeApiMessage(e: unknown): string {
  const err = e as { code?: number; body?: unknown; message?: string };
  let body = err.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      /* plain text body */
    }
  }
  const msg = (body as { message?: string } | undefined)?.message ?? err.message ?? String(e);
  return err.code ? `HTTP ${err.code}: ${msg}` : msg;
}
