// Builds the HTTP app on the test services (fastify/demo style): inject, never listen.
import type { FastifyInstance } from 'fastify';
import { createKeyRepository, ROLES, type Role } from '../../src/neo4j/repositories/keys.js';
import { buildServer } from '../../src/server.js';
import type { TestServices } from './services.js';
import { testLogger } from './env.js';

export async function buildTestApp(s: TestServices): Promise<FastifyInstance> {
  const app = await buildServer({ config: s.config, runtime: s.rt, logger: testLogger() });
  await app.ready();
  return app;
}

export type Keys = Record<Role, string>;

/** One API key per role. */
export async function createKeys(s: TestServices): Promise<Keys> {
  const repo = createKeyRepository(s.driver, s.config.neo4j);
  const keys = {} as Keys;
  for (const role of ROLES) keys[role] = (await repo.create(role, `test ${role}`, 'test')).key;
  return keys;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
