// The investigator console: static files built by scripts/build-console.mjs (dist/console), served
// at /ui. The files are public; everything they show comes from the API with the user's key.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_PREFIX = '/ui';
/** dist/src/api/plugins/console.js → dist/console */
export const CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'console');

export default fp(
  async (app: FastifyInstance) => {
    app.get('/', { config: { roles: 'public' }, schema: { hide: true } }, (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`));
    // The address without its slash (as printed, typed, bookmarked): the static plugin serves `/ui/`.
    app.get(CONSOLE_PREFIX, { config: { roles: 'public' }, schema: { hide: true } }, (_request, reply) =>
      reply.redirect(`${CONSOLE_PREFIX}/`),
    );
    if (!fs.existsSync(path.join(CONSOLE_DIR, 'index.html'))) {
      app.get(`${CONSOLE_PREFIX}/*`, { config: { roles: 'public' }, schema: { hide: true } }, (_request, reply) =>
        reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: 'The console is not built: run `npm run build`' }),
      );
      return;
    }
    await app.register(fastifyStatic, {
      root: CONSOLE_DIR,
      prefix: `${CONSOLE_PREFIX}/`,
      redirect: true,
      index: 'index.html',
      // Hashless file names: the browser revalidates, so a new build is picked up at once.
      cacheControl: true,
      maxAge: 0,
    });
  },
  { name: 'acctnet-console' },
);
