import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { createAuditRepository } from '../../../neo4j/repositories/audit.js';
import { createKeyRepository, parseExpiresIn, ROLES, type ApiKeyRecord } from '../../../neo4j/repositories/keys.js';
import { actorOf, iso, requestRef } from '../../context.js';
import { badRequest, notFound } from '../../errors.js';
import { errorResponses } from '../../schemas/common.js';
import { Nullable } from '../../schemas/analysis.js';
import { AuditEntrySchema, auditView } from './audit.js';

const KeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to recognise it' }),
  createdAt: Type.String(),
  createdBy: Type.String(),
  revokedAt: Nullable(Type.String()),
  revokedBy: Nullable(Type.String()),
  expiresAt: Nullable(Type.String({ description: 'when the key stops working (null: never)' })),
});

function view(k: ApiKeyRecord) {
  return { ...k, createdAt: iso(k.createdAt)!, revokedAt: iso(k.revokedAt), expiresAt: iso(k.expiresAt) };
}

const keys: FastifyPluginAsyncTypebox = async (app) => {
  const repo = () => createKeyRepository(app.runtime.driver(), app.config.neo4j);
  const audit = () => createAuditRepository(app.runtime.driver(), app.config.neo4j);

  app.post(
    '/keys',
    {
      config: { roles: [] },
      bodyLimit: 4096,
      schema: {
        summary: 'Create an API key; the key is in this response only (admin)',
        tags: ['keys'],
        body: Type.Object(
          {
            role: Type.Union(ROLES.map((r) => Type.Literal(r))),
            name: Type.String({ minLength: 1, maxLength: 100 }),
            expiresIn: Type.Optional(
              Type.String({ maxLength: 10, description: 'lifetime such as 90d, 12h or 2w (1h..3650d); absent: the key does not expire' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ key: Type.String(), record: KeySchema, audit: AuditEntrySchema }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      let expiresAt: number | null = null;
      if (request.body.expiresIn !== undefined) {
        try {
          expiresAt = Date.now() + parseExpiresIn(request.body.expiresIn);
        } catch (err) {
          throw badRequest((err as Error).message);
        }
      }
      const created = await repo().create(request.body.role, request.body.name, actor.name, expiresAt);
      const entry = await audit().append(
        actor,
        'key.create',
        `key:${created.record.id}`,
        { role: created.record.role, name: created.record.name, expiresAt: iso(expiresAt) },
        requestRef(request),
      );
      return reply.code(201).send({ key: created.key, record: view(created.record), audit: auditView(entry) });
    },
  );

  app.get(
    '/keys',
    {
      config: { roles: [] },
      schema: {
        summary: 'API keys (never the keys themselves) (admin)',
        tags: ['keys'],
        response: { 200: Type.Object({ items: Type.Array(KeySchema) }), ...errorResponses },
      },
    },
    async () => ({ items: (await repo().list()).map(view) }),
  );

  app.delete(
    '/keys/:id',
    {
      config: { roles: [] },
      schema: {
        summary: 'Revoke an API key (admin)',
        tags: ['keys'],
        params: Type.Object({ id: Type.String({ pattern: '^key_[0-9a-f]{12}$' }) }),
        response: { 200: Type.Object({ record: KeySchema, audit: AuditEntrySchema }), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const revoked = await repo().revoke(request.params.id, actor.name);
      if (!revoked) throw notFound(`No key ${request.params.id}`);
      app.forgetKeys();
      const entry = await audit().append(
        actor,
        'key.revoke',
        `key:${revoked.id}`,
        { role: revoked.role, name: revoked.name },
        requestRef(request),
      );
      return { record: view(revoked), audit: auditView(entry) };
    },
  );
};

export default keys;
