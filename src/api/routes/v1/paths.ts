import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { moneyPaths, type MoneyTransfer } from '../../../analysis/money-paths.js';
import { createAnalysisRepository, type PathTransfer } from '../../../neo4j/repositories/analysis.js';
import { iso, major, moneyOf, toBase } from '../../context.js';
import { badRequest, notFound } from '../../errors.js';
import { accountSummaries, AccountSummarySchema } from '../../explain.js';
import { AccountId, errorResponses, IsoTime } from '../../schemas/common.js';

/** Per account, its strongest counterparties followed; per pair, its largest transfers. */
export const PATH_PER_ACCOUNT = 25;
export const PATH_PER_PAIR = 5;
/** Transfers the in-memory search tries at most (a few hundred ms of work). */
export const PATH_MAX_STEPS = 200_000;
/** Longest date range searched (the analysis window is 90 days by default). */
export const PATH_MAX_DAYS = 366;
const DAY = 86_400_000;

const TransferSchema = Type.Object({
  txId: Type.String(),
  source: Type.String(),
  target: Type.String(),
  at: Type.String(),
  amount: Type.Number({ description: 'major units of the currency' }),
  currency: Type.String(),
  baseAmount: Type.Number({ description: 'in the base currency' }),
});

/**
 * Money paths between two accounts: read outwards from the source and inwards to the target (half
 * the hops each, in time order, hubs not expanded, bounded per account, per pair, in total and by a
 * date range), then
 * the strongest time-respecting paths through what was read.
 */
const paths: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/accounts/:id/paths',
    {
      config: { roles: ['investigator'] },
      schema: {
        summary: 'The strongest money paths from this account to another, in time order, bounded',
        description:
          'A path is a chain of transfers, each leaving no earlier than the previous one arrived, through distinct accounts; its strength is its smallest transfer (base currency). ' +
          `Hubs (merchants, payroll, exchanges) are not passed through. Bounded: hops ≤ 6, paths ≤ 10, accounts read ≤ limit, ${PATH_PER_ACCOUNT} counterparties per account, ${PATH_PER_PAIR} transfers per pair, ${PATH_MAX_STEPS} search steps, a date range (since..until, default the served run's window) of at most ${PATH_MAX_DAYS} days; truncated says a bound was hit.`,
        tags: ['accounts'],
        params: Type.Object({ id: AccountId }),
        querystring: Type.Object({
          to: AccountId,
          hops: Type.Integer({ minimum: 1, maximum: 6, default: 4 }),
          paths: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
          limit: Type.Integer({ minimum: 2, maximum: 1000, default: 200, description: 'most accounts read on each side' }),
          since: Type.Optional(IsoTime),
          until: Type.Optional(IsoTime),
        }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            hops: Type.Integer(),
            window: Type.Object({ since: Type.String(), until: Type.String() }),
            baseCurrency: Type.String(),
            truncated: Type.Boolean({ description: 'a bound was hit: stronger paths may exist' }),
            truncatedBy: Type.Array(Type.Union([Type.Literal('accounts'), Type.Literal('steps')]), {
              description: 'which bounds: accounts (limit), steps (the search budget)',
            }),
            paths: Type.Array(
              Type.Object({
                accounts: Type.Array(Type.String()),
                strength: Type.Number({ description: 'the smallest transfer on the path, base currency' }),
                transfers: Type.Array(TransferSchema),
              }),
            ),
            accounts: Type.Array(AccountSummarySchema, { description: 'the accounts on the paths' }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const from = request.params.id;
      const q = request.query;
      const to = q.to;
      if (to === from) throw badRequest('to must name another account than the path starts from');
      const snap = await app.readCache.snapshot();
      const served = snap.run;
      // Amounts compared and shown as the served run converts them (its base currency and rates).
      const money = moneyOf(app.config, served?.run);
      const since = q.since === undefined ? (served?.windowFrom ?? 0) : Date.parse(q.since);
      const until = q.until === undefined ? (served?.windowTo ?? Date.now()) : Date.parse(q.until);
      if (!(since <= until))
        throw badRequest(`since (${new Date(since).toISOString()}) must not be after until (${new Date(until).toISOString()})`);
      if (until - since > PATH_MAX_DAYS * DAY)
        throw badRequest(`since..until spans ${Math.ceil((until - since) / DAY)} days; at most ${PATH_MAX_DAYS} days are searched at once`);
      const repo = createAnalysisRepository(app.runtime.driver(), app.config.neo4j);
      const known = await repo.accountsExisting([from, to]);
      for (const id of [from, to]) if (!known.has(id)) throw notFound(`No account ${id}`);

      const key = `paths:${snap.runKey}:${snap.versionKey}:${snap.labelsKey}:${from}:${to}:${q.hops}:${q.paths}:${q.limit}:${since}:${until}`;
      return app.readCache.memo(key, async () => {
        const cut = new Set<'accounts' | 'steps'>();
        const read = new Map<string, PathTransfer>();
        const hubs = async (ids: string[]) =>
          served
            ? new Set((await repo.accountResults(served.run.id, ids)).filter((r) => r.role === 'hub').map((r) => r.accountId))
            : new Set<string>();
        // Hubs met on either side: never inside a path (an endpoint may be one).
        const hubIds = new Set<string>();
        // Outwards from the source (earliest arrival per account), inwards to the target (latest departure).
        const side = async (direction: 'out' | 'in', start: string, hops: number) => {
          const bound = new Map<string, number>([[start, direction === 'out' ? since : until]]);
          let frontier = [start];
          for (let hop = 1; hop <= hops && frontier.length; hop++) {
            const found = await repo.pathHop(
              direction,
              frontier.map((id) => ({ id, bound: bound.get(id)! })),
              { from: since, to: until, perAccount: PATH_PER_ACCOUNT, perPair: PATH_PER_PAIR },
            );
            const fresh: string[] = [];
            for (const t of found) {
              read.set(t.txId, t);
              const other = direction === 'out' ? t.target : t.source;
              const cur = bound.get(other);
              if (cur === undefined) {
                if (bound.size >= q.limit) {
                  cut.add('accounts');
                  continue;
                }
                fresh.push(other);
                bound.set(other, t.at);
              } else if (fresh.includes(other)) {
                bound.set(other, direction === 'out' ? Math.min(cur, t.at) : Math.max(cur, t.at));
              }
            }
            const skip = await hubs(fresh);
            for (const id of skip) hubIds.add(id);
            frontier = fresh.filter((id) => !skip.has(id) && id !== from && id !== to);
          }
        };
        const outHops = Math.ceil(q.hops / 2);
        await side('out', from, outHops);
        await side('in', to, q.hops - outHops);

        const byTx = new Map<string, PathTransfer>();
        const comparable: MoneyTransfer[] = [];
        const inner = (id: string) => id !== from && id !== to;
        for (const t of read.values()) {
          // A transfer to or from a hub in the middle would route the path through it: the outward
          // side reads from→H and the inward side H→to, and the two would meet at H.
          if ((hubIds.has(t.source) && inner(t.source)) || (hubIds.has(t.target) && inner(t.target))) continue;
          const base = toBase(money, t.amount, t.currency);
          // A currency without a rate cannot be compared: it is left out (docs/api.md).
          if (base === null) continue;
          byTx.set(t.txId, t);
          comparable.push({ txId: t.txId, source: t.source, target: t.target, at: t.at, amount: base });
        }
        const found = moneyPaths(comparable, from, to, { maxHops: q.hops, maxPaths: q.paths, maxSteps: PATH_MAX_STEPS });
        if (found.truncated) cut.add('steps');
        const onPaths = [...new Set(found.paths.flatMap((p) => p.accounts))];
        return {
          from,
          to,
          hops: q.hops,
          window: { since: iso(since)!, until: iso(until)! },
          baseCurrency: money.baseCurrency,
          truncated: cut.size > 0,
          truncatedBy: [...cut].sort(),
          paths: found.paths.map((p) => ({
            accounts: p.accounts,
            strength: p.strength,
            transfers: p.transfers.map((m) => {
              const t = byTx.get(m.txId)!;
              return {
                txId: t.txId,
                source: t.source,
                target: t.target,
                at: iso(t.at)!,
                amount: major(money, t.amount, t.currency),
                currency: t.currency,
                baseAmount: m.amount,
              };
            }),
          })),
          accounts: await accountSummaries(app, snap, onPaths),
        };
      });
    },
  );
};

export default paths;
