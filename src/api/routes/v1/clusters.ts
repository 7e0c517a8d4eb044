import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { createAnalysisRepository, type ClusterSummary } from '../../../neo4j/repositories/analysis.js';
import { createBlacklistRepository } from '../../../neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../../../neo4j/repositories/labels.js';
import { createSuccessorRepository, successorKey } from '../../../neo4j/repositories/successors.js';
import { createRunRepository } from '../../../neo4j/repositories/runs.js';
import { iso, mergePairEdges, moneyOf, requireServed } from '../../context.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import { badRequest, notFound } from '../../errors.js';
import { errorResponses } from '../../schemas/common.js';
import { ClusterId, ClusterSummarySchema, MigrationSchema, migrationView, Nullable } from '../../schemas/analysis.js';
import { clusterExplanations, ReasonExplanationSchema } from '../../explain.js';

const CLUSTER_TYPES = ['ring', 'fan_in', 'fan_out', 'layering', 'dense_clique', 'benign_hub_like', 'mixed'] as const;
const MAX_PAGE_NODES = 2000;

export function clusterView(c: ClusterSummary) {
  return {
    clusterId: c.clusterId,
    runId: c.runId,
    size: c.size,
    type: c.type,
    score: c.score,
    reasons: c.reasons,
    notes: c.notes,
    evidence: c.evidence,
    isNew: c.isNew,
  };
}

const clusters: FastifyPluginAsyncTypebox = async (app) => {
  const analysis = () => createAnalysisRepository(app.runtime.driver(), app.config.neo4j);

  app.get(
    '/clusters',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Clusters of the served run',
        description:
          'Filter by risk, type, size and "new since blacklist version N" (clusters whose id first appeared in a later run); sorted; cursor-paged.',
        tags: ['clusters'],
        querystring: Type.Object({
          minRisk: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
          type: Type.Optional(Type.Union(CLUSTER_TYPES.map((t) => Type.Literal(t)))),
          minSize: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
          maxSize: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1_000_000 }),
          newSinceVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 })),
          sort: Type.Union([Type.Literal('risk'), Type.Literal('size'), Type.Literal('id')], { default: 'risk' }),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: {
          200: Type.Object({ runId: Type.String(), items: Type.Array(ClusterSummarySchema), nextCursor: Nullable(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const snap = await app.readCache.snapshot();
      const { run } = requireServed(snap.run);
      // A page depends only on the served run, the served version (listed counts) and the query.
      return app.readCache.memo(`clusters:${snap.runKey}:${snap.versionKey}:${JSON.stringify(q)}`, async () => {
        const after = decodeCursor(
          q.cursor,
          (v): v is { v: number | null; id: string; s: string } =>
            typeof v.id === 'string' && v.s === q.sort && (v.v === null || typeof v.v === 'number'),
        ) ?? {
          v: null,
          id: null,
        };
        let newSinceSeq: number | null = null;
        if (q.newSinceVersion !== undefined) {
          const version = await createBlacklistRepository(app.runtime.driver(), app.config.neo4j).get(q.newSinceVersion);
          if (!version) throw notFound(`No blacklist version ${q.newSinceVersion}`);
          const versionRun = version.runId ? await createRunRepository(app.runtime.driver(), app.config.neo4j).get(version.runId) : null;
          newSinceSeq = versionRun?.seq ?? 0;
        }
        const items = await analysis().listClusters(run.id, {
          minRisk: q.minRisk,
          type: q.type ?? null,
          minSize: q.minSize,
          maxSize: q.maxSize,
          newSinceSeq,
          sort: q.sort,
          after: { value: after.v, id: after.id },
          limit: q.limit,
        });
        const last = items[items.length - 1];
        const served = snap.blacklist.servedVersion;
        const listed =
          served === null
            ? new Map<string, number>()
            : await createBlacklistRepository(app.runtime.driver(), app.config.neo4j).listedPerCluster(
                served,
                items.map((c) => c.clusterId),
              );
        return {
          runId: run.id,
          items: items.map((c) => ({ ...clusterView(c), listed: listed.get(c.clusterId) ?? 0 })),
          nextCursor:
            items.length === q.limit && last
              ? encodeCursor({ s: q.sort, v: q.sort === 'risk' ? last.score : q.sort === 'size' ? last.size : null, id: last.clusterId })
              : null,
        };
      });
    },
  );

  app.get(
    '/clusters/:id',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'One cluster: members, the transfers inside it as a graph, typology, risk, migrations, history',
        description: `Members are ordered by PageRank; a page holds at most ${MAX_PAGE_NODES} of them, with the relations among them (count, amount, first, last).`,
        tags: ['clusters'],
        params: Type.Object({ id: ClusterId }),
        querystring: Type.Object({
          page: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
          pageSize: Type.Integer({ minimum: 1, maximum: MAX_PAGE_NODES, default: MAX_PAGE_NODES }),
        }),
        response: {
          200: Type.Object({
            runId: Type.String(),
            cluster: Type.Intersect([
              ClusterSummarySchema,
              Type.Object({
                explanations: Type.Array(ReasonExplanationSchema, { description: 'the reasons in words, with the members behind them' }),
              }),
            ]),
            page: Type.Object({ page: Type.Integer(), pageSize: Type.Integer(), members: Type.Integer(), pages: Type.Integer() }),
            members: Type.Array(
              Type.Object({
                accountId: Type.String(),
                role: Type.String(),
                score: Type.Number(),
                reasons: Type.Array(Type.String()),
                label: Nullable(Type.String()),
                pagerank: Type.Number(),
                betweenness: Nullable(Type.Number()),
                inDegree: Type.Integer(),
                outDegree: Type.Integer(),
                inAmount: Type.Number(),
                outAmount: Type.Number(),
                forwardShare: Type.Number(),
              }),
            ),
            graph: Type.Object({
              nodes: Type.Array(
                Type.Object({
                  id: Type.String(),
                  role: Type.String(),
                  score: Type.Number(),
                  pagerank: Type.Number(),
                  label: Nullable(Type.String()),
                }),
              ),
              edges: Type.Array(
                Type.Object({
                  source: Type.String(),
                  target: Type.String(),
                  count: Type.Integer(),
                  amount: Nullable(Type.Number({ description: 'base currency, major units; null if a currency has no rate' })),
                  amounts: Type.Array(Type.Object({ currency: Type.String(), amount: Type.Number() })),
                  first: Type.String(),
                  last: Type.String(),
                }),
              ),
            }),
            migrations: Type.Array(MigrationSchema),
            history: Type.Array(
              Type.Object({
                runId: Type.String(),
                finishedAt: Nullable(Type.String()),
                size: Type.Integer(),
                type: Type.String(),
                score: Type.Number(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const snap = await app.readCache.snapshot();
      const { run, windowFrom, windowTo } = requireServed(snap.run);
      const { page, pageSize } = request.query;
      // The whole body is fixed by the served run, version and labels: serialized once, then reused.
      const bodyKey = `cluster-body:${snap.runKey}:${snap.versionKey}:${snap.labelsKey}:${request.params.id}:${page}:${pageSize}`;
      const body = await app.readCache.body(bodyKey, async () => {
        const repo = analysis();
        // Everything but the labels belongs to the served run and version: cached by their key.
        const fixed = await app.readCache.memo(
          `cluster:${snap.runKey}:${snap.versionKey}:${request.params.id}:${page}:${pageSize}`,
          async () => {
            const cluster = await repo.cluster(run.id, request.params.id);
            if (!cluster) throw notFound(`No cluster ${request.params.id} in the served run (${run.id})`);
            const results = await repo.accountResults(run.id, cluster.members);
            results.sort((a, b) => b.metrics.pagerank - a.metrics.pagerank || (a.accountId < b.accountId ? -1 : 1));
            const pages = Math.max(1, Math.ceil(results.length / pageSize));
            if (page >= pages) throw badRequest(`page ${page} does not exist: the cluster has ${pages} page(s) of ${pageSize}`);
            const pageResults = results.slice(page * pageSize, (page + 1) * pageSize);
            const ids = pageResults.map((r) => r.accountId);
            const servedVersion = snap.blacklist.servedVersion;
            const [edges, migrations, history, listed] = await Promise.all([
              repo.edgesAmong(ids, windowFrom, windowTo),
              repo.migrationsOf(run.id, cluster.members),
              repo.clusterHistory(cluster.clusterId),
              servedVersion === null
                ? new Map<string, number>()
                : createBlacklistRepository(app.runtime.driver(), app.config.neo4j).listedPerCluster(servedVersion, [cluster.clusterId]),
            ]);
            return {
              cluster: {
                ...clusterView(cluster),
                listed: listed.get(cluster.clusterId) ?? 0,
                explanations: clusterExplanations(cluster.clusterId, cluster.reasons, results),
              },
              memberCount: results.length,
              pages,
              members: pageResults.map((r) => ({
                accountId: r.accountId,
                role: r.role,
                score: r.score,
                reasons: r.reasons,
                pagerank: r.metrics.pagerank,
                betweenness: r.metrics.betweenness,
                inDegree: r.metrics.inDegree,
                outDegree: r.metrics.outDegree,
                inAmount: r.metrics.inAmount,
                outAmount: r.metrics.outAmount,
                forwardShare: r.metrics.forwardShare,
              })),
              ids,
              edges: mergePairEdges(moneyOf(app.config, run), edges),
              migrations,
              // The watch's first detection of a link never changes: cached with the run's figures.
              watched: await createSuccessorRepository(app.runtime.driver(), app.config.neo4j).byKeys(
                migrations.map((m) => successorKey(m.from, m.to)),
              ),
              history,
            };
          },
        );
        const { pages, migrations, history, watched } = fixed;
        // The body's key names the labels' state: read them once per body.
        const labels = await createLabelRepository(app.runtime.driver(), app.config.neo4j).currentFor(fixed.ids);
        return reply.serialize({
          runId: run.id,
          cluster: fixed.cluster,
          page: { page, pageSize, members: fixed.memberCount, pages },
          members: fixed.members.map((m) => ({ ...m, label: labels.get(m.accountId) ?? null })),
          graph: {
            nodes: fixed.members.map((m) => ({
              id: m.accountId,
              role: m.role,
              score: m.score,
              pagerank: m.pagerank,
              label: labels.get(m.accountId) ?? null,
            })),
            edges: fixed.edges.map((e) => ({ ...e, first: iso(e.first)!, last: iso(e.last)! })),
          },
          migrations: migrations.map((m) => migrationView(m, run.finishedAt, watched.get(successorKey(m.from, m.to)), false)),
          history: history.map((h) => ({ runId: h.runId, finishedAt: iso(h.finishedAt), size: h.size, type: h.type, score: h.score })),
        }) as string;
      });
      // A string payload is sent as is (the route's serializer made it, from the route's schema).
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );
};

export default clusters;
