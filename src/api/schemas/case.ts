// The case file an investigator attaches to a report (GET /v1/cases/...): its JSON Schema is this
// TypeBox schema, served at GET /v1/cases/schema and documented in docs/outputs.md.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { ReasonExplanationSchema } from '../explain.js';
import { Nullable } from './analysis.js';

const Iso = Type.String({ format: 'date-time' });

export const CASE_FORMAT = 'acctnet-case';
// 2 (2026-12-07): accounts[].listedWith, the served entry's reasons.
export const CASE_VERSION = 2;

export const CaseLabelSchema = Type.Object(
  {
    label: Type.Union([Type.Literal('fraud'), Type.Literal('legit')]),
    note: Nullable(Type.String()),
    source: Type.String(),
    createdBy: Type.String(),
    createdAt: Iso,
    retractedAt: Nullable(Iso),
    retractedBy: Nullable(Type.String()),
    retractReason: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const CaseSchema = Type.Object(
  {
    format: Type.Literal(CASE_FORMAT),
    version: Type.Literal(CASE_VERSION),
    exportedAt: Iso,
    exportedBy: Type.Object({ name: Type.String(), role: Type.String() }, { additionalProperties: false }),
    auditId: Type.String({ description: 'the audit entry recording this export' }),
    subject: Type.Object(
      { kind: Type.Union([Type.Literal('account'), Type.Literal('cluster')]), id: Type.String() },
      { additionalProperties: false },
    ),
    source: Type.Object(
      {
        runId: Type.String(),
        runFinishedAt: Nullable(Iso),
        asOf: Iso,
        window: Type.Object({ since: Iso, until: Iso }, { additionalProperties: false }),
        blacklistVersion: Nullable(Type.Integer()),
        baseCurrency: Type.String(),
      },
      { additionalProperties: false },
    ),
    cluster: Nullable(
      Type.Object(
        {
          clusterId: Type.String(),
          type: Type.String(),
          size: Type.Integer(),
          score: Type.Number(),
          reasons: Type.Array(ReasonExplanationSchema),
          notes: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    accounts: Type.Array(
      Type.Object(
        {
          accountId: Type.String(),
          role: Nullable(Type.String()),
          score: Nullable(Type.Number()),
          clusterId: Nullable(Type.String()),
          listed: Type.Boolean(),
          listedWith: Nullable(
            Type.Array(Type.String(), {
              description:
                "the served blacklist version's reasons for listing the account (null: not listed) — the run's reasons below can differ while a newer run's version is held",
            }),
          ),
          reasons: Type.Array(ReasonExplanationSchema),
          labels: Type.Array(CaseLabelSchema),
        },
        { additionalProperties: false },
      ),
    ),
    transfers: Type.Array(
      Type.Object(
        {
          txId: Type.String(),
          at: Iso,
          from: Type.String(),
          to: Type.String(),
          amount: Type.Number({ description: 'major units of the currency' }),
          currency: Type.String(),
          channel: Nullable(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    migrations: Type.Array(
      Type.Object(
        {
          from: Type.String(),
          to: Type.String(),
          score: Type.Number(),
          fallAt: Iso,
          riseAt: Iso,
          evidence: Type.Record(Type.String(), Type.Unknown()),
        },
        { additionalProperties: false },
      ),
    ),
    limits: Type.Object(
      {
        accounts: Type.Integer({ description: 'most accounts a case holds' }),
        transfers: Type.Integer({ description: 'most transfers a case holds (oldest first)' }),
        truncated: Type.Boolean({ description: 'true when a limit cut accounts or transfers' }),
      },
      { additionalProperties: false },
    ),
  },
  { title: 'acctnet case file', additionalProperties: false },
);

export type CaseFile = Static<typeof CaseSchema>;
