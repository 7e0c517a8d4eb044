import { Type, type TSchema } from '@fastify/type-provider-typebox';
import type { MigrationLink } from '../../neo4j/repositories/analysis.js';
import type { Successor } from '../../neo4j/repositories/successors.js';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ClusterId = Type.String({ pattern: '^C[0-9]{1,12}$', description: 'cluster id, e.g. C000042' });

export const ClusterSummarySchema = Type.Object({
  clusterId: Type.String(),
  runId: Type.String(),
  size: Type.Integer(),
  type: Type.String({ description: 'ring, fan_in, fan_out, layering, dense_clique, benign_hub_like, mixed' }),
  score: Type.Number(),
  reasons: Type.Array(Type.String()),
  notes: Type.Array(Type.String()),
  evidence: Type.Record(Type.String(), Type.Unknown()),
  isNew: Type.Boolean({ description: 'the id did not exist in the previous run' }),
  listed: Type.Optional(Type.Integer({ description: 'members on the served blacklist version' })),
});

export const MigrationSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  score: Type.Number(),
  fallAt: Type.String(),
  riseAt: Type.String(),
  status: Type.Union([Type.Literal('provisional'), Type.Literal('confirmed'), Type.Literal('rejected')], {
    description:
      'provisional: found by the successor watch at ingest, no run has confirmed it yet; confirmed: found by a run; rejected: only in the answer of POST /v1/migrations/reject (the pair is never raised again)',
  }),
  detectedAt: Nullable(
    Type.String({ description: "when acctnet first reported the link: the watch's detection time when it found the link, else the end of the served run" }),
  ),
  runId: Nullable(Type.String({ description: 'the run that found or confirmed the link; null while provisional' })),
  evidence: Type.Record(Type.String(), Type.Unknown()),
  watch: Type.Optional(
    Type.Object({
      listed: Type.Boolean({
        description: 'the successor is on the list as a provisional entry (auto-listed or confirmed by an investigator)',
      }),
      listScore: Type.Number({ description: "the predecessor's score × the link score: the successor's score on the list" }),
      heldBecause: Nullable(Type.String({ description: 'why a provisional successor is not listed' })),
      decision: Nullable(Type.Union([Type.Literal('confirmed'), Type.Literal('rejected')])),
      decidedBy: Nullable(Type.String()),
      depth: Type.Integer({ description: 'links from the first listed account' }),
      updatedAt: Nullable(Type.String()),
    }),
  ),
});

/**
 * A run's link. `runFinishedAt`: when the served run ended; `watched`: the watch's record of the
 * pair, when the watch found it first — then `detectedAt` is the watch's detection time (when acctnet
 * first reported the link) and its `watch` block is shown, as for provisional links (not with
 * `watchBlock` false: in bodies cached per run, where the block's listing state would go stale).
 */
export function migrationView(m: MigrationLink, runFinishedAt: number | null = null, watched?: Successor, watchBlock = true) {
  const detectedAt = watched ? watched.detectedAt : runFinishedAt;
  return {
    from: m.from,
    to: m.to,
    score: m.score,
    fallAt: new Date(m.fallAt).toISOString(),
    riseAt: new Date(m.riseAt).toISOString(),
    status: 'confirmed' as const,
    detectedAt: detectedAt === null ? null : new Date(detectedAt).toISOString(),
    runId: m.runId,
    evidence: m.evidence,
    ...(watched && watchBlock ? { watch: successorView(watched).watch } : {}),
  };
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A link the successor watch found (provisional, or confirmed by a run since). */
export function successorView(s: Successor) {
  return {
    from: s.from,
    to: s.to,
    score: s.score,
    fallAt: new Date(s.fallAt).toISOString(),
    riseAt: new Date(s.riseAt).toISOString(),
    status: s.status === 'confirmed' ? ('confirmed' as const) : s.status === 'rejected' ? ('rejected' as const) : ('provisional' as const),
    detectedAt: new Date(s.detectedAt).toISOString(),
    runId: s.runId,
    evidence: s.evidence as unknown as Record<string, unknown>,
    watch: {
      listed: s.listed,
      listScore: s.listScore,
      heldBecause: s.heldBecause,
      decision: s.decision,
      decidedBy: s.decidedBy,
      depth: s.depth,
      updatedAt: isoOrNull(s.updatedAt),
    },
  };
}
