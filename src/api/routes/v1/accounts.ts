import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { createAnalysisRepository, type AccountResult } from '../../../neo4j/repositories/analysis.js';
import { createBlacklistRepository } from '../../../neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../../../neo4j/repositories/labels.js';
import { createSuccessorRepository, successorKey } from '../../../neo4j/repositories/successors.js';
import { servedListingByKey, withServedListing } from '../../../watch/listing-state.js';
import { iso, major, mergePairEdges, moneyOf, toBase } from '../../context.js';
import { decodeCursor, encodeCursor } from '../../cursor.js';
import { badRequest, notFound } from '../../errors.js';
import { AccountId, errorResponses, IsoTime } from '../../schemas/common.js';
import { MigrationSchema, migrationView, Nullable, successorView } from '../../schemas/analysis.js';
import { LabelSchema, labelView } from './labels.js';
import { accountExplanations, accountSummaries, AccountSummarySchema, briefExplanations, ReasonExplanationSchema } from '../../explain.js';

const DAY = 86_400_000;
/** Most ids in one pasted list (a gateway team's daily list is a few hundred). */
export const MAX_LOOKUP = 1000;

/** Marks "no such account" inside a memo (a failed load is not kept). */
const MISSING = Symbol('missing');

/** The reason a held version's guard record gives (the publish guard's, or the pin's). */
function heldReason(guard: unknown): string | null {
  const reason = guard !== null && typeof guard === 'object' ? (guard as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' ? reason : null;
}

const accounts: FastifyPluginAsyncTypebox = async (app) => {
  const analysis = () => createAnalysisRepository(app.runtime.driver(), app.config.neo4j);

  app.get(
    '/accounts',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'Search accounts by id prefix',
        description:
          'Each item also says whether the account is listed, its served score, role, cluster and label (the console shows them per suggestion).',
        tags: ['accounts'],
        querystring: Type.Object({
          prefix: Type.String({ minLength: 1, maxLength: 1024 }),
          cursor: Type.Optional(Type.String({ maxLength: 2000 })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Omit(AccountSummarySchema, ['found'])),
            nextCursor: Nullable(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { prefix, limit } = request.query;
      const after = decodeCursor(request.query.cursor, (v): v is { after: string } => typeof v.after === 'string')?.after ?? '';
      const found = await analysis().searchAccounts(prefix, after, limit);
      const summaries = await accountSummaries(
        app,
        await app.readCache.snapshot(),
        found.map((a) => a.id),
      );
      return {
        items: summaries.map(({ found: _found, ...s }) => s),
        nextCursor: found.length === limit ? encodeCursor({ after: found[found.length - 1]!.id }) : null,
      };
    },
  );

  app.post(
    '/accounts/lookup',
    {
      config: { roles: ['investigator'] },
      bodyLimit: 1024 * 1024,
      schema: {
        summary: 'Look up a list of account ids: listed?, score, cluster, label for each',
        description: `At most ${MAX_LOOKUP} ids; duplicates are answered once, in the order first given. Unknown ids are answered with found: false.`,
        tags: ['accounts'],
        body: Type.Object({ ids: Type.Array(AccountId, { minItems: 1, maxItems: MAX_LOOKUP }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(AccountSummarySchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const ids = [...new Set(request.body.ids)];
      if (ids.some((id) => id.trim() !== id))
        throw badRequest('ids must not start or end with spaces: account ids are matched exactly as ingested');
      return { items: await accountSummaries(app, await app.readCache.snapshot(), ids) };
    },
  );

  app.get(
    '/accounts/:id',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'An account: metrics, cluster, role, labels, activity timeline, counterparties, migrations, blacklist status',
        tags: ['accounts'],
        params: Type.Object({ id: AccountId }),
        response: {
          200: Type.Object({
            accountId: Type.String(),
            firstSeenAt: Nullable(Type.String()),
            runId: Nullable(
              Type.String({
                description:
                  'the served run, whose analysis this is (score, reasons, cluster, metrics, migrations); null before any run. The list is blacklist.version, built from blacklist.runId',
              }),
            ),
            analysed: Type.Boolean({ description: "false when the account had no transfer in the run's window" }),
            clusterId: Nullable(Type.String()),
            cluster: Nullable(Type.Object({ clusterId: Type.String(), type: Type.String(), score: Type.Number(), size: Type.Integer() })),
            role: Nullable(Type.String()),
            score: Nullable(Type.Number()),
            reasons: Type.Array(Type.String()),
            explanations: Type.Array(ReasonExplanationSchema, { description: 'each reason in words, with the accounts behind it' }),
            metrics: Nullable(Type.Record(Type.String(), Type.Unknown())),
            labels: Type.Object({ current: Nullable(LabelSchema), events: Type.Array(LabelSchema) }),
            timeline: Type.Object({
              bucketDays: Type.Integer(),
              buckets: Type.Array(Type.Object({ start: Type.String(), transfers: Type.Integer() })),
            }),
            topCounterparties: Type.Array(
              Type.Object({
                accountId: Type.String(),
                currency: Type.String(),
                sent: Type.Number(),
                received: Type.Number(),
                transfers: Type.Integer(),
                total: Nullable(Type.Number({ description: 'sent + received in the base currency' })),
              }),
            ),
            migrations: Type.Object({ predecessors: Type.Array(MigrationSchema), successors: Type.Array(MigrationSchema) }),
            blacklist: Type.Object({
              version: Nullable(Type.Integer({ description: 'the served blacklist version: listed and entry are from it' })),
              runId: Nullable(
                Type.String({
                  description:
                    "the run whose scores the served version's list was built from (kept by override, approval, pin and rollback versions); null when no version is served or its list came from no run",
                }),
              ),
              sameRun: Type.Boolean({
                description:
                  "true when the served list was built from the run whose analysis this is (runId); false while the publish guard holds that run's version, or a pin or rollback serves an older list: then score and reasons (runId) and entry (blacklist.runId) come from different runs",
              }),
              held: Nullable(
                Type.Object(
                  {
                    version: Type.Integer({
                      description: "the version built from this analysis's run (runId), waiting for an admin's approval",
                    }),
                    reason: Nullable(Type.String({ description: 'why it is held (the publish guard, or a pinned version)' })),
                    listed: Type.Boolean({ description: 'whether the account is on that version' }),
                  },
                  {
                    description:
                      "while blacklist.sameRun is false because the analysis's own version is held: that version, and whether it lists the account (an admin serves it with `acctnet blacklist approve VERSION` or POST /v1/blacklist/versions/{version}/approve; a pin is lifted first with `acctnet blacklist unpin`); null otherwise",
                  },
                ),
              ),
              listed: Type.Boolean(),
              entry: Nullable(
                Type.Object({ clusterId: Nullable(Type.String()), score: Type.Number(), reasons: Type.Array(Type.String()) }),
              ),
              override: Nullable(
                Type.Object(
                  {
                    action: Type.Union([Type.Literal('include'), Type.Literal('exclude')]),
                    reason: Type.String(),
                    createdBy: Type.String(),
                    createdAt: IsoTime,
                    confirmedBy: Nullable(Type.String()),
                  },
                  { description: 'an investigator forced the account on (include) or off (exclude) the list: who, when, why' },
                ),
              ),
            }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const id = request.params.id;
      const repo = analysis();
      // What is served is at most ACCTNET_API_STATE_TTL_MS old; results of the served run, the served
      // version and the current labels never change under their keys, so they are cached by them.
      const snap = await app.readCache.snapshot();
      const [account, labelEvents] = await Promise.all([
        // An account's existence and first-seen time, as of the served run (a missing one is asked
        // for again each time: it may be ingested any moment).
        app.readCache
          .memo(`account-node:${snap.runKey}:${id}`, async () => (await repo.account(id)) ?? Promise.reject(MISSING))
          .catch((err: unknown) => (err === MISSING ? null : Promise.reject(err))),
        app.readCache.memo(`labels:${snap.labelsKey}:${id}`, () =>
          createLabelRepository(app.runtime.driver(), app.config.neo4j).forAccount(id),
        ),
      ]);
      if (!account && labelEvents.length === 0) throw notFound(`No account ${id}`);
      const served = snap.run;
      const version = snap.blacklist.servedVersion;
      const blacklistRepo = createBlacklistRepository(app.runtime.driver(), app.config.neo4j);
      const [{ result, cluster, counterparties, migrations }, entry, override] = await Promise.all([
        app.readCache.memo(`account:${snap.runKey}:${id}`, async () => {
          const result = served ? ((await repo.accountResults(served.run.id, [id]))[0] ?? null) : null;
          const [cluster, counterparties, migrations] = await Promise.all([
            served && result?.clusterId ? repo.cluster(served.run.id, result.clusterId) : null,
            served ? repo.topCounterparties(id, served.windowFrom, served.windowTo, 10) : [],
            served ? repo.migrationsOf(served.run.id, [id]) : [],
          ]);
          // Only the summary of the cluster: its member list can be long.
          const summary = cluster && { clusterId: cluster.clusterId, type: cluster.type, score: cluster.score, size: cluster.size };
          return { result, cluster: summary, counterparties, migrations };
        }),
        version === null ? null : app.readCache.memo(`entry:${snap.versionKey}:${id}`, () => blacklistRepo.accountEntry(version, id)),
        // Read per request (an override changes without a new run): one index seek.
        blacklistRepo.override(id),
      ]);
      // Which run the served list comes from: while the guard holds a newer run's version (or a pin
      // serves an older list) the analysis above and the list below are from different runs.
      const listRunId =
        version === null
          ? null
          : await app.readCache.memo(`version-run:${snap.versionKey}`, async () => (await blacklistRepo.get(version))?.runId ?? null);
      // The analysis's own version, when the guard or a pin holds it: which version, why, and whether
      // it lists this account — what the investigator would see once an admin approves it.
      const ownVersion = served?.run.blacklistVersion ?? null;
      const heldVersion =
        ownVersion !== null && ownVersion !== version
          ? await app.readCache.memo(`held-version:${snap.runKey}:${snap.versionKey}`, async () => {
              const v = await blacklistRepo.get(ownVersion);
              return v?.status === 'held' ? v : null;
            })
          : null;
      const held = heldVersion && {
        version: heldVersion.version,
        reason: heldReason(heldVersion.guard),
        listed:
          (await app.readCache.memo(`entry:held-v${heldVersion.version}@${heldVersion.createdAt}:${id}`, () =>
            blacklistRepo.accountEntry(heldVersion.version, id),
          )) !== null,
      };
      // A successor the watch found after the served run (provisional): its link, as GET
      // /v1/migrations?status=provisional shows it, among the predecessors.
      const successorRepo = createSuccessorRepository(app.runtime.driver(), app.config.neo4j);
      const best = (await successorRepo.bestScoreFor([id])).get(id);
      const provisional =
        best && !migrations.some((m) => m.from === best.from && m.to === id) ? await successorRepo.get(best.from, id) : null;
      const provisionalViews =
        provisional?.status === 'provisional'
          ? (await withServedListing(app.runtime.driver(), app.config, [provisional])).map(successorView)
          : [];
      // The watch's records of these links (their listing state changes: read per request).
      const watched = await servedListingByKey(
        app.runtime.driver(),
        app.config,
        await createSuccessorRepository(app.runtime.driver(), app.config.neo4j).byKeys(migrations.map((m) => successorKey(m.from, m.to))),
      );
      const bucketDays = served?.bucketDays ?? app.config.analysis.bucketDays;
      const activity = result?.metrics.activity ?? [];
      const current = labelEvents.find((l) => l.retractedAt === null) ?? null;
      // Amounts as the served run converted them.
      const money = moneyOf(app.config, served?.run);
      // An account the served run did not analyse but the list holds (a successor the watch listed
      // since): its entry's reasons in words, without the per-account lookups.
      const explanations = !result
        ? entry
          ? briefExplanations(app, served?.run, id, entry.clusterId, entry.reasons)
          : []
        : await app.readCache.memo(`explanations:${snap.runKey}:${snap.versionKey}:${snap.labelsKey}:${id}`, () =>
            accountExplanations(
              app,
              snap,
              result,
              current && {
                label: current.label,
                createdBy: current.createdBy,
                createdAt: new Date(current.createdAt).toISOString(),
                note: current.note,
              },
            ),
          );
      return {
        accountId: id,
        firstSeenAt: iso(account?.firstSeenAt),
        runId: served?.run.id ?? null,
        analysed: result !== null,
        clusterId: result?.clusterId ?? null,
        cluster: cluster ? { clusterId: cluster.clusterId, type: cluster.type, score: cluster.score, size: cluster.size } : null,
        role: result?.role ?? null,
        score: result?.score ?? null,
        reasons: result?.reasons ?? [],
        explanations,
        metrics: result
          ? {
              ...result.metrics,
              activity: undefined,
              firstAt: iso(result.metrics.firstAt),
              lastAt: iso(result.metrics.lastAt),
              firstSeenAt: iso(result.metrics.firstSeenAt),
            }
          : null,
        labels: { current: current && labelView(current), events: labelEvents.map(labelView) },
        timeline: {
          bucketDays,
          buckets: served
            ? activity.map((transfers, k) => ({ start: new Date(served.windowFrom + k * bucketDays * DAY).toISOString(), transfers }))
            : [],
        },
        topCounterparties: counterparties.map((c) => {
          const sent = toBase(money, c.sent, c.currency);
          const received = toBase(money, c.received, c.currency);
          return {
            accountId: c.accountId,
            currency: c.currency,
            sent: major(money, c.sent, c.currency),
            received: major(money, c.received, c.currency),
            transfers: c.transfers,
            total: sent === null || received === null ? null : Math.round((sent + received) * 100) / 100,
          };
        }),
        migrations: {
          // As GET /v1/migrations: detected by the watch when it found the link first, else by the served run.
          predecessors: [
            ...migrations
              .filter((m) => m.to === id)
              .map((m) => migrationView(m, served?.run.finishedAt ?? null, watched.get(successorKey(m.from, m.to)))),
            ...provisionalViews,
          ],
          successors: migrations
            .filter((m) => m.from === id)
            .map((m) => migrationView(m, served?.run.finishedAt ?? null, watched.get(successorKey(m.from, m.to)))),
        },
        blacklist: {
          version: version,
          runId: listRunId,
          sameRun: served !== null && listRunId === served.run.id,
          held,
          listed: entry !== null,
          entry: entry && { clusterId: entry.clusterId, score: entry.score, reasons: entry.reasons },
          override: override && {
            action: override.action,
            reason: override.reason,
            createdBy: override.createdBy,
            createdAt: iso(override.createdAt)!,
            confirmedBy: override.confirmedBy,
          },
        },
      };
    },
  );

  app.get(
    '/accounts/:id/neighborhood',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'The accounts around one, up to 3 hops, strongest relations first, bounded',
        tags: ['accounts'],
        params: Type.Object({ id: AccountId }),
        querystring: Type.Object({
          hops: Type.Integer({ minimum: 1, maximum: 3, default: 1 }),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'most accounts returned, the centre included' }),
        }),
        response: {
          200: Type.Object({
            center: Type.String(),
            hops: Type.Integer(),
            truncated: Type.Boolean(),
            nodes: Type.Array(
              Type.Object({
                id: Type.String(),
                hop: Type.Integer(),
                role: Nullable(Type.String()),
                clusterId: Nullable(Type.String()),
                score: Nullable(Type.Number()),
                label: Nullable(Type.String()),
              }),
            ),
            edges: Type.Array(
              Type.Object({
                source: Type.String(),
                target: Type.String(),
                count: Type.Integer(),
                amount: Nullable(Type.Number()),
                first: Type.String(),
                last: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { hops, limit } = request.query;
      const repo = analysis();
      const snap = await app.readCache.snapshot();
      const served = snap.run;
      const bodyKey = `neighborhood-body:${snap.runKey}:${snap.labelsKey}:${id}:${hops}:${limit}`;
      const body = await app.readCache.body(bodyKey, async () => {
        // The neighbourhood's shape and figures are those of the served run's window: cached per run.
        const shape = await app.readCache.memo(`neighborhood:${snap.runKey}:${id}:${hops}:${limit}`, async () => {
          if (!(await repo.account(id))) throw notFound(`No account ${id}`);
          const hopOf = new Map<string, number>([[id, 0]]);
          const byId = new Map<string, AccountResult>();
          const addResults = async (ids: string[]) => {
            if (served) for (const r of await repo.accountResults(served.run.id, ids)) byId.set(r.accountId, r);
          };
          await addResults([id]);
          // Hubs (merchants, payroll, exchanges) are shown but not expanded past the centre: their
          // thousands of customers are not related to each other, and expanding them costs seconds.
          let frontier = [id];
          let truncated = false;
          for (let hop = 1; hop <= hops && frontier.length; hop++) {
            const room = limit - hopOf.size;
            if (room <= 0) {
              truncated = true;
              break;
            }
            const found = await repo.neighbors(frontier, [...hopOf.keys()], room + 1);
            const next: string[] = [];
            for (const n of found) {
              if (hopOf.has(n.neighbor)) continue;
              if (hopOf.size >= limit) {
                truncated = true;
                break;
              }
              hopOf.set(n.neighbor, hop);
              next.push(n.neighbor);
            }
            await addResults(next);
            frontier = next.filter((n) => byId.get(n)?.role !== 'hub');
          }
          const ids = [...hopOf.keys()];
          const edges = await repo.edgesAmong(ids, served?.windowFrom ?? 0, served?.windowTo ?? Number.MAX_SAFE_INTEGER);
          return { hopOf, truncated, ids, byId, edges: mergePairEdges(moneyOf(app.config, served?.run), edges) };
        });
        const { hopOf, truncated, ids, byId } = shape;
        // The body's key names the labels' state: read them once per body.
        const labels = await createLabelRepository(app.runtime.driver(), app.config.neo4j).currentFor(ids);
        return reply.serialize({
          center: id,
          hops,
          truncated,
          nodes: ids.map((n) => ({
            id: n,
            hop: hopOf.get(n)!,
            role: byId.get(n)?.role ?? null,
            clusterId: byId.get(n)?.clusterId ?? null,
            score: byId.get(n)?.score ?? null,
            label: labels.get(n) ?? null,
          })),
          edges: shape.edges.map(({ amounts: _perCurrency, ...e }) => ({ ...e, first: iso(e.first)!, last: iso(e.last)! })),
        }) as string;
      });
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );
};

export default accounts;
