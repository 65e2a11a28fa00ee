// Serves the built dashboard (dashboard/dist) at `/`, with a single-page-app fallback: any GET
// that is not an API path and not a file gets index.html, so deep links survive a reload.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

const API_PREFIXES = ['/api/', '/v1/', '/metrics', '/healthz', '/readyz'];

export async function registerDashboard(app: FastifyInstance, dir?: string): Promise<void> {
  const hasDashboard = !!dir && existsSync(join(dir, 'index.html'));
  if (hasDashboard) {
    await app.register(fastifyStatic, { root: dir!, prefix: '/', wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const api = API_PREFIXES.some((p) => path.startsWith(p));
    if (req.method === 'GET' && !api && hasDashboard) return reply.type('text/html').sendFile('index.html');
    if (req.method === 'GET' && path === '/' && !hasDashboard) {
      return reply.code(200).send({ name: 'devops-commander', dashboard: 'not built (run npm run build)', api: '/api/deployments' });
    }
    return reply.code(404).send({ error: `no route ${req.method} ${path}` });
  });
}
