import { existsSync } from 'node:fs';
import { join } from 'node:path';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

import type { AppConfig } from '../config/config';

export const WEB_APP_PREFIX = '/app/';

/**
 * The web app's content security policy: its own scripts, styles, fonts and images only, the API
 * on the same origin, the OIDC token endpoint, and blob: frames for the handout preview.
 */
export function webAppCsp(config: AppConfig): string {
  const connect = ["'self'", ...(config.webApp.oidc ? [new URL(config.webApp.oidc.tokenUrl).origin] : [])];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "font-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src ${connect.join(' ')}`,
    "frame-src 'self' blob:",
    "manifest-src 'self'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Serves the built web app at /app with its own CSP; without a build, /app says how to make one. */
export async function serveWebApp(fastify: FastifyInstance, config: AppConfig): Promise<void> {
  const csp = webAppCsp(config);
  fastify.addHook('onSend', async (request, reply) => {
    if (request.url === '/app' || request.url.startsWith(WEB_APP_PREFIX)) {
      reply.header('content-security-policy', csp);
    }
  });
  if (!existsSync(join(config.webApp.dir, 'index.html'))) {
    fastify.get('/app', async (_request, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web app is not built: run `npm run build:web` (npm start does it).\n'),
    );
    return;
  }
  fastify.get('/app', async (_request, reply) => reply.redirect(WEB_APP_PREFIX));
  await fastify.register(fastifyStatic, {
    root: config.webApp.dir,
    prefix: WEB_APP_PREFIX,
    decorateReply: false,
    index: ['index.html'],
    // Hashed asset names change with their content; the page itself is always checked again.
    setHeaders: (res, path) => {
      res.header('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
}
