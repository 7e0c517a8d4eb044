import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { createAnalysisRepository } from '../../../neo4j/repositories/analysis.js';
import { requireServedRun } from '../../context.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import { badRequest } from '../../errors.js';
import { errorResponses } from '../../schemas/common.js';
import { ClusterId, MigrationSchema, migrationView, Nullable } from '../../schemas/analysis.js';

const migrations: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/migrations',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Account migrations (MIGRATED_TO) of the served run, strongest first',
        tags: ['migrations'],
        querystring: Type.Object({
          minScore: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
          since: Type.Optional(Type.String({ format: 'date-time', description: 'only links whose fall or rise is at or after this time' })),
          until: Type.Optional(
            Type.String({ format: 'date-time', description: 'only links whose fall or rise is at or before this time' }),
          ),
          clusterId: Type.Optional(ClusterId),
          cursor: Type.Optional(Type.String({ maxLength: 2000 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: {
          200: Type.Object({ runId: Type.String(), items: Type.Array(MigrationSchema), nextCursor: Nullable(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const since = q.since === undefined ? null : Date.parse(q.since);
      const until = q.until === undefined ? null : Date.parse(q.until);
      if (Number.isNaN(since) || Number.isNaN(until)) throw badRequest('since and until must be ISO 8601 times');
      const { run } = await requireServedRun(app);
      const after = decodeCursor(
        q.cursor,
        (v): v is { score: number; key: string } => typeof v.score === 'number' && typeof v.key === 'string',
      );
      const items = await createAnalysisRepository(app.runtime.driver(), app.config.neo4j).listMigrations(run.id, {
        minScore: q.minScore,
        since,
        until,
        clusterId: q.clusterId ?? null,
        after,
        limit: q.limit,
      });
      const last = items[items.length - 1];
      return {
        runId: run.id,
        items: items.map(migrationView),
        nextCursor: items.length === q.limit && last ? encodeCursor({ score: last.score, key: `${last.from}>${last.to}` }) : null,
      };
    },
  );
};

export default migrations;
