import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { appendAudit } from '../../../neo4j/repositories/audit.js';
import { createAnalysisRepository } from '../../../neo4j/repositories/analysis.js';
import { createSuccessorRepository, successorKey } from '../../../neo4j/repositories/successors.js';
import { txRunner } from '../../../neo4j/session.js';
import { servedListingByKey, withServedListing } from '../../../watch/listing-state.js';
import { publishSuccessors } from '../../../watch/successor-watch.js';
import { actorOf, requestRef, requireServedRun, servedRun } from '../../context.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import { AccountId, errorResponses } from '../../schemas/common.js';
import { ClusterId, MigrationSchema, migrationView, Nullable, successorView } from '../../schemas/analysis.js';
import { AuditEntrySchema, auditView } from './audit.js';

const migrations: FastifyPluginAsyncTypebox = async (app) => {
  const successors = () => createSuccessorRepository(app.runtime.driver(), app.config.neo4j);

  app.get(
    '/migrations',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary:
          'Account migrations: MIGRATED_TO links of the served run (status=confirmed, strongest first), or the successors the watch found at ingest that no run confirmed yet (status=provisional, newest first), or those an investigator rejected (status=rejected, newest first: never raised again)',
        tags: ['migrations'],
        querystring: Type.Object({
          status: Type.Union([Type.Literal('confirmed'), Type.Literal('provisional'), Type.Literal('rejected')], { default: 'confirmed' }),
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
          200: Type.Object({
            runId: Nullable(Type.String({ description: 'the served run (null: none yet; only with status=provisional)' })),
            items: Type.Array(MigrationSchema),
            nextCursor: Nullable(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const since = q.since === undefined ? null : Date.parse(q.since);
      const until = q.until === undefined ? null : Date.parse(q.until);
      if (Number.isNaN(since) || Number.isNaN(until)) throw badRequest('since and until must be ISO 8601 times');
      if (q.status === 'provisional' || q.status === 'rejected') {
        if (q.clusterId !== undefined || since !== null || until !== null)
          throw badRequest(`status=${q.status} takes minScore, cursor and limit only: a successor found at ingest has no cluster yet`);
        const served = await servedRun(app);
        const after = decodeCursor(
          q.cursor,
          (v): v is { at: number; key: string } => typeof v.at === 'number' && typeof v.key === 'string',
        );
        const items = await successors().list({ statuses: [q.status], minScore: q.minScore, after, limit: q.limit });
        const last = items[items.length - 1];
        return {
          runId: served?.run.id ?? null,
          items: (await withServedListing(app.runtime.driver(), app.config, items)).map(successorView),
          nextCursor: items.length === q.limit && last ? encodeCursor({ at: last.detectedAt, key: last.key }) : null,
        };
      }
      const { run } = await requireServedRun(app);
      const after = decodeCursor(
        q.cursor,
        (v): v is { score: number; from: string; to: string } =>
          typeof v.score === 'number' && typeof v.from === 'string' && typeof v.to === 'string',
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
      const watched = await servedListingByKey(
        app.runtime.driver(),
        app.config,
        await successors().byKeys(items.map((m) => successorKey(m.from, m.to))),
      );
      return {
        runId: run.id,
        items: items.map((m) => migrationView(m, run.finishedAt, watched.get(successorKey(m.from, m.to)))),
        nextCursor: items.length === q.limit && last ? encodeCursor({ score: last.score, from: last.from, to: last.to }) : null,
      };
    },
  );

  const PublishedSchema = Type.Object({
    version: Nullable(
      Type.Integer({ description: 'the version published for the decision (null: unchanged, or pending behind another publication)' }),
    ),
  });

  for (const decision of ['confirm', 'reject'] as const) {
    app.post(
      `/migrations/${decision}`,
      {
        config: { roles: ['investigator'], redis: true },
        schema: {
          summary:
            decision === 'confirm'
              ? 'Confirm a provisional successor: it is listed (MIGRATED_FROM, PROVISIONAL) while its predecessor is, until a run confirms the link'
              : 'Reject a provisional successor: it leaves the list and the pair is never raised again',
          tags: ['migrations'],
          body: Type.Object(
            { from: AccountId, to: AccountId, note: Type.Optional(Type.String({ maxLength: 2000 })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ migration: MigrationSchema, published: PublishedSchema, audit: AuditEntrySchema }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { from, to, note } = request.body;
        const key = successorKey(from, to);
        const r = await txRunner(app.runtime.driver(), app.config.neo4j).write(async (tx) => {
          const current = await successors().get(from, to, tx);
          if (!current)
            throw notFound(
              `no provisional migration ${from} → ${to}: list them with GET /v1/migrations?status=provisional (a link a run found, GET /v1/migrations, needs no confirmation)`,
            );
          if (current.status !== 'provisional')
            throw conflict(
              `the migration ${from} → ${to} is ${current.status}, not provisional: only provisional migrations can be confirmed or rejected`,
            );
          // Confirming twice is one confirmation (a double click, a retried request): said, not audited
          // again. A reject after a confirm reverses it, and its audit entry says whose decision it reverses.
          if (decision === 'confirm' && current.decision === 'confirmed')
            throw conflict(
              `the migration ${from} → ${to} was already confirmed by ${current.decidedBy ?? 'someone'}${current.decidedAt ? ` at ${new Date(current.decidedAt).toISOString()}` : ''}`,
            );
          const reverses =
            current.decision === 'confirmed'
              ? {
                  decision: current.decision,
                  by: current.decidedBy,
                  at: current.decidedAt === null ? null : new Date(current.decidedAt).toISOString(),
                }
              : null;
          const saved = await successors().decide(key, decision === 'confirm' ? 'confirmed' : 'rejected', actor.name, tx);
          const audit = await appendAudit(
            tx,
            actor,
            `successor.${decision}`,
            key,
            { from, to, score: current.score, wasListed: current.listed, note: note ?? null, ...(reverses ? { reverses } : {}) },
            requestRef(request),
          );
          return { saved, audit, changed: current.listed !== saved.listed };
        });
        const version = r.changed
          ? await publishSuccessors({
              config: app.config,
              driver: app.runtime.driver(),
              publish: app.runtime.publishDeps(),
              log: request.log,
              publishWaitMs: 5_000,
            })
          : null;
        app.readCache.invalidate();
        // The answer says what gateways hold after the publication (a confirm lists nothing while the predecessor is not listed).
        const [now] = await withServedListing(app.runtime.driver(), app.config, [r.saved]);
        return { migration: successorView(now!), published: { version }, audit: auditView(r.audit) };
      },
    );
  }
};

export default migrations;
