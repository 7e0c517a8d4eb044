// What most routes need: the served run (and its window), the caller as an audit actor, money.
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../neo4j/repositories/audit.js';
import { createLabelRepository } from '../neo4j/repositories/labels.js';
import { createRunRepository, type RunRecord } from '../neo4j/repositories/runs.js';
import { currencyExponent } from '../ingest/record.js';
import type { Config } from '../config/index.js';
import { HttpError } from './errors.js';
import { ReadCache } from './read-cache.js';

const DAY = 86_400_000;

export interface ServedRun {
  run: RunRecord;
  windowFrom: number;
  windowTo: number;
  bucketDays: number;
}

export interface Served {
  run: ServedRun | null;
  blacklist: { servedVersion: number | null; pinnedVersion: number | null; servedAt: number | null };
  /** Cache key part naming the served run (ids restart only if the database is wiped, start times differ). */
  runKey: string;
  /** Cache key part naming the served blacklist version. */
  versionKey: string;
  /** Cache key part naming the state of the labels (bumped by every label change). */
  labelsKey: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    readCache: ReadCache<Served>;
  }
}

export function createReadCache(config: Config, loadRuns: () => ReturnType<ReturnType<typeof createRunRepository>['servedSnapshot']>) {
  return new ReadCache<Served>(
    async () => {
      const snap = await loadRuns();
      const run = snap.run;
      let served: ServedRun | null = null;
      if (run && run.asOf !== null) {
        const windowDays = typeof run.params.windowDays === 'number' ? run.params.windowDays : config.analysis.windowDays;
        const bucketDays = typeof run.params.bucketDays === 'number' ? run.params.bucketDays : config.analysis.bucketDays;
        served = { run, windowFrom: run.asOf - windowDays * DAY + 1, windowTo: run.asOf, bucketDays };
      }
      return {
        run: served,
        blacklist: snap.blacklist,
        runKey: served ? `${served.run.id}@${served.run.startedAt}` : 'none',
        versionKey: snap.blacklist.servedVersion === null ? 'none' : `v${snap.blacklist.servedVersion}@${snap.blacklist.servedAt}`,
        labelsKey: `l${snap.labels.generation}@${snap.labels.changedAt}`,
      };
    },
    {
      ttlMs: config.http.stateTtlMs,
      maxEntries: config.http.cacheEntries,
      maxResultBytes: config.http.cacheResultBytes,
      maxBodyBytes: config.http.cacheBytes,
    },
  );
}

export async function servedRun(app: FastifyInstance): Promise<ServedRun | null> {
  return (await app.readCache.snapshot()).run;
}

export function requireServed(served: ServedRun | null): ServedRun {
  if (!served) throw new HttpError(409, 'No analysis run has completed yet: request one with POST /v1/recomputations');
  return served;
}

export async function requireServedRun(app: FastifyInstance): Promise<ServedRun> {
  return requireServed(await servedRun(app));
}

/** The request ids an audit entry records: acctnet's own and the client's x-request-id, if it sent one. */
export function requestRef(request: FastifyRequest): { id: string; clientId: string | null } {
  return { id: request.id, clientId: request.clientRequestId };
}

export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  return p ? { keyId: p.keyId, name: p.name, role: p.role } : { keyId: 'anonymous', name: 'anonymous', role: 'none' };
}

/** A write's `warnings`: what it noticed but accepted. */
export const WarningsSchema = Type.Array(Type.String(), {
  description: 'what the request noticed but accepted (e.g. an account never seen in a transfer); empty when none',
});

/**
 * The warning for a label or an override on an account acctnet has never seen in a transfer: kept
 * (it applies once the account trades — a chargeback can arrive before the account's first transfer
 * does here), but said, since it is as often a typo in the id (as `labels import` counts them).
 */
export async function unknownAccountWarnings(app: FastifyInstance, accountId: string, what: string): Promise<string[]> {
  const unknown = await createLabelRepository(app.runtime.driver(), app.config.neo4j).unknownAccounts([accountId]);
  return unknown.length
    ? [
        `account ${JSON.stringify(accountId)} has no transfer stored (yet): the ${what} is kept and applies once the account trades — check the id for a typo`,
      ]
    : [];
}

/**
 * How amounts are read and summed: the decimals of currencies that are not ISO
 * (ACCTNET_CURRENCY_EXPONENTS), the base currency and the rates into it (ACCTNET_BASE_CURRENCY,
 * ACCTNET_FX_RATES).
 */
export interface MoneySettings {
  baseCurrency: string;
  fxRates: Readonly<Record<string, number>>;
  currencyExponents: Readonly<Record<string, number>>;
}

/**
 * The served run's money settings (recorded with it), else this process's: amounts shown beside a
 * run's scores and reasons are converted as that run converted them, whatever the API process was
 * started with.
 */
export function moneyOf(config: Config, run: { params: Record<string, unknown> } | null | undefined): MoneySettings {
  const p = run?.params ?? {};
  const record = (x: unknown): x is Record<string, number> =>
    typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'number');
  // Field by field: a run recorded before the rates were kept still names its base currency (the
  // texts use it); this process's rates convert into it only when they are rates into that currency.
  const baseCurrency = typeof p.baseCurrency === 'string' ? p.baseCurrency : config.analysis.baseCurrency;
  return {
    baseCurrency,
    fxRates: record(p.fxRates) ? p.fxRates : baseCurrency === config.analysis.baseCurrency ? config.analysis.fxRates : {},
    currencyExponents: record(p.currencyExponents) ? p.currencyExponents : config.ingest.currencyExponents,
  };
}

/** Minor units → major units of the currency (ISO, or configured in ACCTNET_CURRENCY_EXPONENTS). */
export function major(money: MoneySettings, minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency, money.currencyExponents);
}

/** Major units in the base currency, or null when there is no rate for the currency. */
export function toBase(money: MoneySettings, minor: number, currency: string): number | null {
  const rate = currency === money.baseCurrency ? 1 : money.fxRates[currency];
  return rate === undefined ? null : Math.round(major(money, minor, currency) * rate * 100) / 100;
}

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

export interface DrawnEdge {
  source: string;
  target: string;
  count: number;
  /** Total in the base currency, or null when a currency has no rate. */
  amount: number | null;
  amounts: Array<{ currency: string; amount: number }>;
  first: number;
  last: number;
}

/** Per-currency pair aggregates → one edge per ordered pair, sorted by (source, target). */
export function mergePairEdges(
  money: MoneySettings,
  edges: ReadonlyArray<{ source: string; target: string; currency: string; count: number; amount: number; first: number; last: number }>,
): DrawnEdge[] {
  const merged = new Map<string, DrawnEdge>();
  for (const e of edges) {
    const key = `${e.source}\u0000${e.target}`;
    const m = merged.get(key) ?? { source: e.source, target: e.target, count: 0, amount: 0, amounts: [], first: e.first, last: e.last };
    m.count += e.count;
    const base = toBase(money, e.amount, e.currency);
    m.amount = m.amount === null || base === null ? null : Math.round((m.amount + base) * 100) / 100;
    m.amounts.push({ currency: e.currency, amount: major(money, e.amount, e.currency) });
    m.first = Math.min(m.first, e.first);
    m.last = Math.max(m.last, e.last);
    merged.set(key, m);
  }
  return [...merged.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.target < b.target ? -1 : 1));
}
