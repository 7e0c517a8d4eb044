import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { numericIdProblem } from '../../../ingest/record.js';
import { checkLabel, LABEL_SOURCES, MAX_NOTE_LENGTH } from '../../../labels/label-input.js';
import { createAnalysisRepository } from '../../../neo4j/repositories/analysis.js';
import { appendAudit } from '../../../neo4j/repositories/audit.js';
import { createBlacklistRepository } from '../../../neo4j/repositories/blacklist.js';
import { appendLabels, createLabelRepository, retractLabel, type LabelEvent } from '../../../neo4j/repositories/labels.js';
import { txRunner } from '../../../neo4j/session.js';
import { actorOf, requestRef, unknownAccountWarnings, WarningsSchema } from '../../context.js';
import { badRequest, notFound } from '../../errors.js';
import { AccountId, errorResponses, IsoTime, NullableIsoTime } from '../../schemas/common.js';
import { AuditEntrySchema, auditView } from './audit.js';

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
  const tx = () => txRunner(app.runtime.driver(), app.config.neo4j);

  /** The account is on the served blacklist or on the served run's review list (acctnet raised it). */
  async function flaggedByAcctnet(accountId: string): Promise<boolean> {
    const snap = await app.readCache.snapshot();
    const version = snap.blacklist.servedVersion;
    if (version !== null && (await createBlacklistRepository(app.runtime.driver(), app.config.neo4j).accountEntry(version, accountId)))
      return true;
    const run = snap.run?.run.id;
    if (!run) return false;
    return createAnalysisRepository(app.runtime.driver(), app.config.neo4j).onReview(run, accountId);
  }

  app.post(
    '/labels',
    {
      config: { roles: ['investigator'] },
      bodyLimit: 16 * 1024,
      // Before schema validation, which would turn a JSON number into its (already rounded) text.
      preValidation: async (request) => {
        const problem = numericIdProblem('accountId', (request.body as { accountId?: unknown } | null)?.accountId);
        if (problem) throw badRequest(problem);
      },
      schema: {
        summary: 'Label an account fraud or legit (append-only; the latest non-retracted label wins)',
        description:
          'Answers with the label in force and the audit entry. An identical label to the one in force is not appended again (created: false).',
        tags: ['labels'],
        body: Type.Object(
          {
            accountId: AccountId,
            label: Type.Union([Type.Literal('fraud'), Type.Literal('legit')]),
            note: Type.Optional(Type.String({ maxLength: MAX_NOTE_LENGTH })),
            source: Type.Optional(
              Type.Union(
                LABEL_SOURCES.map((s) => Type.Literal(s)),
                {
                  description:
                    'Where the label came from; default: alert when the account is on the served list or the served run review list (acctnet flagged it), else investigation. The model card counts labels by source',
                },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ label: LabelSchema, created: Type.Boolean(), audit: AuditEntrySchema, warnings: WarningsSchema }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const checked = checkLabel(request.body, app.config.ingest.maxIdLength);
      // The rules speak of a file's column (account_id); this body's field is accountId, as the override route says.
      if (!checked.ok) throw badRequest(checked.reason.replaceAll('account_id', 'accountId'));
      const actor = actorOf(request);
      // Without a source: `alert` when acctnet flagged the account (on the served list or the served
      // run's review list) — such labels are not a random sample of fraud, and the model card counts
      // them apart —, else `investigation`.
      const source = checked.value.source ?? ((await flaggedByAcctnet(checked.value.accountId)) ? 'alert' : 'investigation');
      const r = await tx().write(async (t) => {
        const [created] = await appendLabels(t, [{ ...checked.value, source, createdBy: actor.name }]);
        const audit = await appendAudit(
          t,
          actor,
          'label.create',
          `account:${checked.value.accountId}`,
          { label: checked.value.label, note: checked.value.note, created: Boolean(created), labelId: created?.id ?? null },
          requestRef(request),
        );
        return { created, audit };
      });
      app.readCache.invalidate();
      const label =
        r.created ??
        (await createLabelRepository(app.runtime.driver(), app.config.neo4j).forAccount(checked.value.accountId)).find(
          (l) => l.retractedAt === null,
        )!;
      const warnings = await unknownAccountWarnings(app, checked.value.accountId, 'label');
      return reply.code(201).send({ label: labelView(label), created: Boolean(r.created), audit: auditView(r.audit), warnings });
    },
  );

  app.delete(
    '/labels/:id',
    {
      config: { roles: ['investigator'] },
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Retract a label (recorded with who and why; the label event stays)',
        tags: ['labels'],
        params: Type.Object({ id: Type.String({ pattern: '^lbl_[0-9a-f-]{36}$' }) }),
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: MAX_NOTE_LENGTH }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ label: LabelSchema, audit: AuditEntrySchema }), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const r = await tx().write(async (t) => {
        const label = await retractLabel(t, request.params.id, actor.name, request.body.reason);
        if (!label) return null;
        const audit = await appendAudit(
          t,
          actor,
          'label.retract',
          `label:${label.id}`,
          { accountId: label.accountId, label: label.label, reason: request.body.reason },
          requestRef(request),
        );
        return { label, audit };
      });
      app.readCache.invalidate();
      if (!r) throw notFound(`No label ${request.params.id}`);
      return { label: labelView(r.label), audit: auditView(r.audit) };
    },
  );

  app.get(
    '/accounts/:id/labels',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Every label event of an account, newest first, and the one in force',
        tags: ['labels'],
        params: Type.Object({ id: AccountId }),
        response: {
          200: Type.Object({ accountId: Type.String(), current: Type.Union([LabelSchema, Type.Null()]), events: Type.Array(LabelSchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const events = await createLabelRepository(app.runtime.driver(), app.config.neo4j).forAccount(request.params.id);
      const current = events.find((l) => l.retractedAt === null) ?? null;
      return { accountId: request.params.id, current: current && labelView(current), events: events.map(labelView) };
    },
  );
};

export default labels;
