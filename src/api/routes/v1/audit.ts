import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { createAuditRepository, type AuditEntry } from '../../../neo4j/repositories/audit.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import { HttpError } from '../../errors.js';
import { errorResponses } from '../../schemas/common.js';
import { Nullable } from '../../schemas/analysis.js';

export const AuditEntrySchema = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actor: Type.Object({ keyId: Type.String(), name: Type.String(), role: Type.String() }),
  action: Type.String(),
  target: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  requestId: Nullable(Type.String({ description: "acctnet's id of the request (the x-request-id it answered with)" })),
  clientRequestId: Nullable(Type.String({ description: 'the x-request-id the client sent, if any' })),
});

export function auditView(a: AuditEntry) {
  return {
    id: a.id,
    at: new Date(a.at).toISOString(),
    actor: { keyId: a.actorKeyId, name: a.actorName, role: a.actorRole },
    action: a.action,
    target: a.target,
    details: a.details,
    requestId: a.requestId,
    clientRequestId: a.clientRequestId,
  };
}

const audit: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me',
    {
      config: { roles: ['investigator', 'ingest', 'gateway'] },
      schema: {
        summary: 'Who this key is: name and role (the console checks a key with it)',
        tags: ['keys'],
        response: { 200: Type.Object({ keyId: Type.String(), name: Type.String(), role: Type.String() }), ...errorResponses },
      },
    },
    async (request) => request.principal!,
  );

  app.get(
    '/audit',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'The audit log, newest first (admins: everyone; investigators: their own entries)',
        tags: ['audit'],
        querystring: Type.Object({
          actorKeyId: Type.Optional(Type.String({ maxLength: 100, description: "admins only: one key's entries" })),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(AuditEntrySchema), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      const me = request.principal!;
      // Only an admin reads another key's entries: an investigator asking for them is told so, not
      // silently given their own.
      if (me.role !== 'admin' && request.query.actorKeyId !== undefined && request.query.actorKeyId !== me.keyId)
        throw new HttpError(403, "actorKeyId: only admins read another key's audit entries; leave it out to read your own");
      const actorKeyId = me.role === 'admin' ? (request.query.actorKeyId ?? null) : me.keyId;
      const before = decodeCursor(
        request.query.cursor,
        (v): v is { at: number; id: string } => typeof v.at === 'number' && typeof v.id === 'string',
      );
      const items = await createAuditRepository(app.runtime.driver(), app.config.neo4j).list({
        actorKeyId,
        before,
        limit: request.query.limit,
      });
      const last = items[items.length - 1];
      return {
        items: items.map(auditView),
        nextCursor: items.length === request.query.limit && last ? encodeCursor({ at: last.at, id: last.id }) : null,
      };
    },
  );
};

export default audit;
