import { Type, type TSchema } from '@fastify/type-provider-typebox';
import type { MigrationLink } from '../../neo4j/repositories/analysis.js';

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
  runId: Type.String(),
  evidence: Type.Record(Type.String(), Type.Unknown()),
});

export function migrationView(m: MigrationLink) {
  return {
    from: m.from,
    to: m.to,
    score: m.score,
    fallAt: new Date(m.fallAt).toISOString(),
    riseAt: new Date(m.riseAt).toISOString(),
    runId: m.runId,
    evidence: m.evidence,
  };
}
