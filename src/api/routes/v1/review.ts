import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { createAnalysisRepository } from '../../../neo4j/repositories/analysis.js';
import { requireServedRun } from '../../context.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import { errorResponses } from '../../schemas/common.js';
import { Nullable } from '../../schemas/analysis.js';
import { briefExplanations, ReasonExplanationSchema } from '../../explain.js';

const ReviewItemSchema = Type.Object({
  accountId: Type.String(),
  clusterId: Nullable(Type.String()),
  score: Type.Number({ description: 'the served score (the learned model’s calibrated probability)' }),
  learnedScore: Nullable(Type.Number()),
  anomaly: Nullable(Type.Number({ description: 'isolation-forest anomaly score, 0..1 (about 0.5 is ordinary)' })),
  reasons: Type.Array(Type.String(), { description: 'CODE:detail, with LEARNED:… naming the features behind the score' }),
  explanations: Type.Array(ReasonExplanationSchema, {
    description: 'the reasons in words (the account route also names the accounts behind them)',
  }),
});

/**
 * The review list: accounts at or above the blacklist threshold whose only evidence is the learned
 * or anomaly score. They are not served to gateways (ACCTNET_MODEL_ONLY_THRESHOLD): an investigator
 * looks, then labels or includes them. An account a run listed before stays served instead
 * (STILL_LISTED, ACCTNET_LIST_RELEASE_MARGIN).
 */
const review: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/review',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Review list of the served run: model-only candidates, highest score first',
        tags: ['accounts'],
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ maxLength: 2000 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: {
          200: Type.Object({ runId: Type.String(), items: Type.Array(ReviewItemSchema), nextCursor: Nullable(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { run } = await requireServedRun(app);
      const after = decodeCursor(
        request.query.cursor,
        (v): v is { score: number; accountId: string } => typeof v.score === 'number' && typeof v.accountId === 'string',
      );
      const items = await createAnalysisRepository(app.runtime.driver(), app.config.neo4j).reviewAccounts(
        run.id,
        after,
        request.query.limit,
      );
      const last = items[items.length - 1];
      return {
        runId: run.id,
        items: items.map((i) => ({ ...i, explanations: briefExplanations(app, run, i.accountId, i.clusterId, i.reasons) })),
        nextCursor: items.length === request.query.limit && last ? encodeCursor({ score: last.score, accountId: last.accountId }) : null,
      };
    },
  );
};

export default review;
