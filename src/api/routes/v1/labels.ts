import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { checkLabel, MAX_NOTE_LENGTH } from '../../../labels/label-input.js';
import { createLabelRepository, type LabelEvent } from '../../../neo4j/repositories/labels.js';
import { badRequest } from '../../errors.js';
import { AccountId, errorResponses, IsoTime, NullableIsoTime } from '../../schemas/common.js';

export const LabelSchema = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  label: Type.Union([Type.Literal('fraud'), Type.Literal('legit')]),
  note: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  createdBy: Type.String(),
  createdAt: IsoTime,
  retractedAt: NullableIsoTime,
  retractedBy: Type.Union([Type.String(), Type.Null()]),
  retractReason: Type.Union([Type.String(), Type.Null()]),
});

export function labelView(l: LabelEvent) {
  return {
    ...l,
    createdAt: new Date(l.createdAt).toISOString(),
    retractedAt: l.retractedAt === null ? null : new Date(l.retractedAt).toISOString(),
  };
}

const labels: FastifyPluginAsyncTypebox = async (app) => {
  const repo = () => createLabelRepository(app.runtime.driver(), app.config.neo4j);

  app.post(
    '/labels',
    {
      schema: {
        summary: 'Label an account fraud or legit (append-only; the latest non-retracted label wins)',
        tags: ['labels'],
        body: Type.Object(
          {
            accountId: AccountId,
            label: Type.Union([Type.Literal('fraud'), Type.Literal('legit')]),
            note: Type.Optional(Type.String({ maxLength: MAX_NOTE_LENGTH })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ label: LabelSchema, created: Type.Boolean() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const checked = checkLabel(request.body, app.config.ingest.maxIdLength);
      if (!checked.ok) throw badRequest(checked.reason);
      const by = request.principal?.name ?? 'anonymous';
      const [created] = await repo().append([{ ...checked.value, source: 'api', createdBy: by }]);
      if (created) return reply.code(201).send({ label: labelView(created), created: true });
      const current = (await repo().forAccount(checked.value.accountId)).find((l) => l.retractedAt === null)!;
      return reply.code(201).send({ label: labelView(current), created: false });
    },
  );

  app.get(
    '/accounts/:id/labels',
    {
      schema: {
        summary: 'Every label event of an account, newest first',
        tags: ['labels'],
        params: Type.Object({ id: AccountId }),
        response: {
          200: Type.Object({ accountId: Type.String(), current: Type.Union([LabelSchema, Type.Null()]), events: Type.Array(LabelSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const events = await repo().forAccount(request.params.id);
      const current = events.find((l) => l.retractedAt === null) ?? null;
      return { accountId: request.params.id, current: current && labelView(current), events: events.map(labelView) };
    },
  );
};

export default labels;
