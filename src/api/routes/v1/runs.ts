import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { createAnalysisRepository } from '../../../neo4j/repositories/analysis.js';
import { createAuditRepository } from '../../../neo4j/repositories/audit.js';
import { createRunRepository, type RunRecord } from '../../../neo4j/repositories/runs.js';
import { requestRecompute } from '../../../queue/recompute-queue.js';
import { actorOf, iso, requestRef } from '../../context.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import { badRequest, notFound } from '../../errors.js';
import { errorResponses } from '../../schemas/common.js';
import { Nullable } from '../../schemas/analysis.js';
import { AuditEntrySchema, auditView } from './audit.js';

const RunSchema = Type.Object({
  id: Type.String(),
  status: Type.String({ description: 'running, succeeded, failed, superseded, abandoned' }),
  step: Type.String(),
  trigger: Type.String(),
  requestedBy: Type.String(),
  requestedAt: Nullable(Type.String()),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  asOf: Nullable(Type.String()),
  params: Type.Record(Type.String(), Type.Unknown()),
  timings: Type.Record(Type.String(), Type.Number(), { description: 'ms per step' }),
  counts: Type.Record(Type.String(), Type.Number()),
  warnings: Type.Array(Type.String()),
  error: Nullable(Type.String()),
  blacklistVersion: Nullable(Type.Integer()),
  model: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        'The learned model card: mode, status, labels used (fraud / legit / sampled, by source), folds, cross-validated ROC-AUC and PR-AUC, calibration, top features, the shadow list when ACCTNET_LEARNED=shadow (docs/outputs.md)',
    }),
  ),
  retention: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        'What ACCTNET_RETAIN_* deleted after this run: before, deleted {transfers, batches, runs, deliveries, versions}, held {accounts, transfers} (legal hold), versionsDeleted, settings, firstApplication, announced, dryRun; or {error} when it failed (docs/operations.md, Retention). announced true (with dryRun true): settings new to the store, this run deleted nothing and `deleted` is what the next successful run will delete. null: retention off.',
    }),
  ),
});

function runView(r: RunRecord) {
  return {
    id: r.id,
    status: r.status,
    step: r.step,
    trigger: r.trigger,
    requestedBy: r.requestedBy,
    requestedAt: iso(r.requestedAt || null),
    startedAt: iso(r.startedAt)!,
    finishedAt: iso(r.finishedAt),
    asOf: iso(r.asOf),
    params: r.params,
    timings: r.timings,
    counts: r.counts,
    warnings: r.warnings,
    error: r.error,
    blacklistVersion: r.blacklistVersion,
    model: r.model,
    retention: r.retention,
  };
}

const runs: FastifyPluginAsyncTypebox = async (app) => {
  const repo = () => createRunRepository(app.runtime.driver(), app.config.neo4j);

  app.get(
    '/runs',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Recompute runs, newest first',
        tags: ['runs'],
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(RunSchema), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      const before =
        decodeCursor(request.query.cursor, (v): v is { seq: number } => typeof v.seq === 'number')?.seq ?? Number.MAX_SAFE_INTEGER;
      const list = await repo().list(before, request.query.limit);
      const last = list[list.length - 1];
      return { items: list.map(runView), nextCursor: list.length === request.query.limit && last ? encodeCursor({ seq: last.seq }) : null };
    },
  );

  app.get(
    '/runs/:id',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'One run: status, step timings, counts',
        tags: ['runs'],
        params: Type.Object({ id: Type.String({ pattern: '^run-[0-9]{1,12}$' }) }),
        response: { 200: RunSchema, ...errorResponses },
      },
    },
    async (request) => {
      const run = await repo().get(request.params.id);
      if (!run) throw notFound(`No run ${request.params.id}`);
      return runView(run);
    },
  );

  app.get(
    '/runs/:id/shadow',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary:
          'A shadow-mode run (ACCTNET_LEARNED=shadow): the accounts the learned list would add to the list the run served, or drop from it, highest score first',
        tags: ['runs'],
        params: Type.Object({ id: Type.String({ pattern: '^run-[0-9]{1,12}$' }) }),
        querystring: Type.Object({
          change: Type.Union([Type.Literal('added'), Type.Literal('removed')], {
            default: 'added',
            description:
              'added: on the learned list, not on the served one (its learned score and reasons); removed: the other way round (the served entry)',
          }),
          cursor: Type.Optional(Type.String({ maxLength: 2000 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: {
          200: Type.Object({
            runId: Type.String(),
            change: Type.String(),
            count: Type.Integer({ description: "the change's size on the run's model card" }),
            items: Type.Array(
              Type.Object({
                accountId: Type.String(),
                clusterId: Nullable(Type.String()),
                score: Type.Number(),
                reasons: Type.Array(Type.String()),
              }),
            ),
            nextCursor: Nullable(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const run = await repo().get(request.params.id);
      if (!run) throw notFound(`No run ${request.params.id}`);
      const card = run.model as { mode?: string; shadow?: { added: number; removed: number } } | null;
      if (!card?.shadow)
        throw notFound(
          `Run ${run.id} has no shadow list: it ran with ACCTNET_LEARNED=${card?.mode ?? 'off'}${card?.mode === 'shadow' ? ' but the model did not train' : ''} (set ACCTNET_LEARNED=shadow and run again)`,
        );
      const q = request.query;
      const after = decodeCursor(
        q.cursor,
        (v): v is { score: number; accountId: string } => typeof v.score === 'number' && typeof v.accountId === 'string',
      );
      const items = await createAnalysisRepository(app.runtime.driver(), app.config.neo4j).shadowEntries(run.id, q.change, after, q.limit);
      const last = items[items.length - 1];
      return {
        runId: run.id,
        change: q.change,
        count: q.change === 'added' ? card.shadow.added : card.shadow.removed,
        items,
        nextCursor: items.length === q.limit && last ? encodeCursor({ score: last.score, accountId: last.accountId }) : null,
      };
    },
  );

  app.post(
    '/recomputations',
    {
      config: {
        roles: ['investigator'],
        redis: true,
        rateLimit: { max: app.config.http.recomputeRateLimitPerMinute, timeWindow: 60_000 },
      },
      schema: {
        summary: 'Request a recompute (coalesced with one already waiting)',
        tags: ['runs'],
        body: Type.Optional(
          Type.Object(
            {
              asOf: Type.Optional(Type.String({ format: 'date-time' })),
              full: Type.Optional(
                Type.Boolean({ description: "read the whole window from Neo4j instead of starting from the previous run's snapshot" }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          202: Type.Object({ jobId: Type.String(), coalesced: Type.Boolean(), audit: AuditEntrySchema }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const asOfText = request.body?.asOf;
      const asOf = asOfText === undefined ? null : Date.parse(asOfText);
      if (Number.isNaN(asOf)) throw badRequest('asOf must be an ISO 8601 time');
      const actor = actorOf(request);
      const r = await requestRecompute(app.runtime.recomputeQueue(), {
        trigger: 'api',
        requestedBy: `${actor.name} (${actor.keyId})`,
        requestedAt: Date.now(),
        asOf,
        ...(request.body?.full ? { full: true } : {}),
      });
      const audit = await createAuditRepository(app.runtime.driver(), app.config.neo4j).append(
        actor,
        'recompute.request',
        r.jobId,
        { coalesced: r.coalesced, asOf: asOfText ?? null, full: request.body?.full === true },
        requestRef(request),
      );
      return reply.code(202).send({ ...r, audit: auditView(audit) });
    },
  );
};

export default runs;
