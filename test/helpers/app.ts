// Builds the HTTP app on the test services (fastify/demo style): inject, never listen.
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server.js';
import type { TestServices } from './services.js';
import { testLogger } from './env.js';

export async function buildTestApp(s: TestServices): Promise<FastifyInstance> {
  const app = await buildServer({ config: s.config, runtime: s.rt, logger: testLogger() });
  await app.ready();
  return app;
}
