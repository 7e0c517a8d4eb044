// The successor watch set, kept in Redis so every ingest worker process tests membership in O(1)
// per transfer (HMGET on the accounts of a job). Built for one served blacklist version:
//
//   <prefix>:watch:served          the served version (set by the publication path)
//   <prefix>:watch:built           the version the current set was built for
//   <prefix>:watch:v<N>:pred       hash: predecessor A → JSON WatchPredecessor
//   <prefix>:watch:v<N>:cp         hash: former counterparty C → JSON WatchCounterparty
//   <prefix>:watch:v<N>:meta       hash: version, runId, hubThreshold, builtAt, predecessors, dropped, counterparties, bytes
//
// Predecessors are the listed accounts, the fraud-labelled ones and those a run listed within the
// migration's lag and a later run dropped; their former counterparties are
// their non-hub counterparties since the window's start (at most ACCTNET_WATCH_MAX_COUNTERPARTIES
// each, the most recent). Memory per listed account: one predecessor record (~400 bytes: the
// 24-hour and channel profile) plus ≤ max counterparties × ~60 bytes (a counterparty shared by
// several predecessors is stored once, with their ids).
import type { Redis } from 'ioredis';
import type { Driver } from 'neo4j-driver';
import { counterpartyWeight, MIGRATION_DEFAULTS, type SenderProfile } from '../analysis/migration.js';
import { droppedFromList } from '../blacklist/dropped.js';
import type { Config } from '../config/index.js';
import { dataTimeLimit } from '../ingest/rules.js';
import { int, toNumber, toNumberOrNull } from '../neo4j/convert.js';
import { cypher } from '../neo4j/cypher.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../neo4j/repositories/labels.js';
import { createRunRepository } from '../neo4j/repositories/runs.js';
import { createSuccessorRepository } from '../neo4j/repositories/successors.js';
import { txRunner } from '../neo4j/session.js';
import { withRedisLock } from '../redis/lock.js';
import { converter } from '../runs/analysis-job.js';

export const DAY_MS = 86_400_000;

export interface WatchPredecessor {
  /** On the served list (only a listed predecessor's successor may be auto-listed). */
  listed: boolean;
  /** Its score on the served list (1 for a fraud label that is not listed). */
  score: number;
  fallAt: number;
  fallKind: 'listed' | 'stopped';
  /** Non-hub counterparties in the window and the sum of their weights. */
  former: number;
  formerWeight: number;
  /** 0 for a listed account; n for the n-th provisional successor down a chain. */
  depth: number;
  /**
   * Its transfers in the window when the set was built: below MIGRATION_DEFAULTS.minFallTransfers it
   * cannot fall, as in a run (migration.ts detectFall, listedFall). Absent in sets built before it.
   */
  transfers?: number;
  /** Listed by an earlier run's served version, dropped by a later one (watched unlisted). Absent otherwise. */
  dropped?: boolean;
  /**
   * When a run dropped this predecessor (the data time of that run's version): trading after the list
   * let it go (migration.ts releasedAt), it has not fallen by its listing.
   */
  droppedAt?: number;
  /** Its cluster in the served run (null: in none, or not in the run): the migration score's cluster substitute. */
  cluster: string | null;
  profile: { hours: number[]; channels: Record<string, number>; logAmountMean: number | null };
}

export interface WatchCounterparty {
  /** Degree (in + out relations) in the served run, for the counterparty's weight. */
  d: number;
  /** Predecessors it dealt with. */
  p: string[];
  /**
   * Of those, the ones it first dealt with after they fell (e.g. after their listing): for them it
   * can still be the successor (money from A to a new account is the strongest sign); a counterparty
   * from before the fall dealing on side by side is not.
   */
  late?: string[];
}

export const watchKeys = (prefix: string) => ({
  served: `${prefix}:watch:served`,
  built: `${prefix}:watch:built`,
  pred: (v: number) => `${prefix}:watch:v${v}:pred`,
  cp: (v: number) => `${prefix}:watch:v${v}:cp`,
  meta: (v: number) => `${prefix}:watch:v${v}:meta`,
  stats: `${prefix}:watch:stats`,
  /** Successor candidates whose link could still pass the bar through their own transfers: re-scored on any transfer of theirs and hourly (a sorted set by data time of the last scoring). */
  pending: `${prefix}:watch:pending`,
  autoListed: `${prefix}:watch:auto-listed`,
  lock: `${prefix}:lock:watch-build`,
  /** Held while a link from or to the account is read and recorded (one decision per account at a time across workers). */
  accountLock: (id: string) => `${prefix}:lock:watch-account:${id}`,
});

/** Called by the publication path when a version is served: the next ingest job rebuilds the set. */
export async function markServed(redis: Redis, prefix: string, version: number): Promise<void> {
  await redis.set(watchKeys(prefix).served, String(version));
}

/** A sender profile from stored transfers, the way the analysis builds it (flows.ts): UTC hour, channel, log amount in the base currency. */
export function profileFromTransfers(
  sent: ReadonlyArray<{ at: number; amount: number; currency: string; channel: string | null }>,
  toBase: (minor: number, currency: string) => number | null,
): WatchPredecessor['profile'] {
  const hours = new Array<number>(24).fill(0);
  // No prototype: a channel may be named like one of its properties ("constructor", "__proto__").
  const channels: Record<string, number> = Object.create(null) as Record<string, number>;
  let logSum = 0;
  let n = 0;
  for (const t of sent) {
    const amount = toBase(t.amount, t.currency);
    if (amount === null || !(amount > 0)) continue;
    hours[new Date(t.at).getUTCHours()]!++;
    const key = t.channel ?? 'unknown';
    channels[key] = (channels[key] ?? 0) + 1;
    logSum += Math.log(amount);
    n++;
  }
  return { hours, channels, logAmountMean: n ? logSum / n : null };
}

/** Two stored profiles as SenderProfiles over one channel order (a cosine does not depend on the order). */
export function alignProfiles(a: WatchPredecessor['profile'], b: WatchPredecessor['profile']): [SenderProfile, SenderProfile] {
  const keys = [...new Set([...Object.keys(a.channels), ...Object.keys(b.channels)])].sort();
  const view = (p: WatchPredecessor['profile']): SenderProfile => ({
    hours: p.hours,
    // Own keys only: a profile read back from Redis is a plain object, and "constructor" is not a count.
    channels: keys.map((k) => (Object.hasOwn(p.channels, k) ? p.channels[k]! : 0)),
    logAmountMean: p.logAmountMean ?? Number.NaN,
  });
  return [view(a), view(b)];
}

export interface WatchDeps {
  config: Config;
  driver: Driver;
  redis: Redis;
}

export interface WatchSetInfo {
  version: number;
  predecessors: number;
  counterparties: number;
  bytes: number;
  /** Of the predecessors, those watched because a run dropped them from the list (absent in sets built before). */
  dropped?: number;
  /** Successor candidates pending a new scoring (watchKeys().pending). */
  pending?: number;
}

const BUILD_BATCH = 200;
/** How long a replaced generation of the set stays readable for jobs that started on it. */
const OLD_GENERATION_GRACE_MS = 60_000;

/** Builds the set for the served version (or an empty one when nothing is served) and makes it current. */
export async function buildWatchSet(deps: WatchDeps): Promise<WatchSetInfo> {
  const { config, driver, redis } = deps;
  const keys = watchKeys(config.queue.prefix);
  const { read } = txRunner(driver, config.neo4j);
  const blacklist = createBlacklistRepository(driver, config.neo4j);
  const runs = createRunRepository(driver, config.neo4j);
  const state = await blacklist.state();
  const version = state.servedVersion ?? 0;
  const entries = state.servedVersion === null ? [] : await blacklist.entries(state.servedVersion);
  const record = state.servedVersion === null ? null : await blacklist.get(state.servedVersion);
  const runId = record?.runId ?? (await runs.currentRunId());
  const run = runId ? await runs.get(runId) : null;
  const latest = toNumberOrNull(
    (await read((tx) => tx.run(cypher('analysis/latest-transfer'), { until: int(dataTimeLimit(config)) }))).records[0]?.get('at'),
  );
  // Being listed is the fall: at the data time of the run that first listed the account (else of the
  // served run, or the latest transfer); a fraud label without a listing falls at the served run's time.
  const listedAt = run?.asOf ?? latest ?? Date.now();
  const hubThreshold = hubThresholdOf(run?.counts, config);
  const windowFrom = listedAt - config.analysis.windowDays * DAY_MS + 1;

  const preds = new Map<string, WatchPredecessor>();
  const depthOf = new Map((await createSuccessorRepository(driver, config.neo4j).listed()).map((s) => [s.to, s.depth]));
  const base = (listed: boolean, score: number, depth: number): WatchPredecessor => ({
    listed,
    score,
    fallAt: listedAt,
    fallKind: 'listed',
    former: 0,
    formerWeight: 0,
    depth,
    cluster: null,
    profile: { hours: [], channels: {}, logAmountMean: null },
  });
  const successors = createSuccessorRepository(driver, config.neo4j);
  // Accounts a run listed within the migration's lag before the served run and a later run dropped
  // (not excluded by an investigator, not labelled legit): a blocked account that dies loses the
  // activity its score rested on, and that is when its successor rises. Watched unlisted: their
  // successors are recorded for review, never auto-listed (docs/decisions.md, "The watch keeps
  // accounts a run dropped from the list").
  const labels = await createLabelRepository(driver, config.neo4j).current();
  const dropped =
    state.servedVersion === null
      ? []
      : await droppedFromList({ blacklist, successors }, state.servedVersion, listedAt - MIGRATION_DEFAULTS.maxLagDays * DAY_MS, labels);
  const since = await successors.listingTimes([...entries.map((e) => e.accountId), ...dropped.map((d) => d.id)]);
  for (const e of entries) {
    const p = base(true, e.score, depthOf.get(e.accountId) ?? 0);
    p.fallAt = Math.min(since.get(e.accountId) ?? listedAt, listedAt);
    preds.set(e.accountId, p);
  }
  for (const [id, label] of labels) if (label === 'fraud' && !preds.has(id)) preds.set(id, base(false, 1, 0));
  for (const d of dropped) {
    if (preds.has(d.id)) continue;
    const p = base(false, d.score, depthOf.get(d.id) ?? 0);
    p.fallAt = Math.min(since.get(d.id) ?? d.lastListedAt, listedAt);
    p.dropped = true;
    p.droppedAt = d.droppedAt;
    preds.set(d.id, p);
  }

  const toBase = converter(config);
  const cps = new Map<string, WatchCounterparty>();
  const relationsOf = new Map<string, Array<{ id: string; first: number; last: number }>>();
  const ids = [...preds.keys()];
  for (let k = 0; k < ids.length; k += BUILD_BATCH) {
    const r = await read((tx) =>
      tx.run(cypher('watch/predecessor-relations'), {
        ids: ids.slice(k, k + BUILD_BATCH),
        from: int(windowFrom),
        to: int(dataTimeLimit(config)),
      }),
    );
    for (const row of r.records) {
      const id = row.get('id') as string;
      const p = preds.get(id)!;
      const lastAt = toNumberOrNull(row.get('lastAt'));
      p.transfers = toNumberOrNull(row.get('transfers')) ?? 0;
      // Silent for the quiet days before it was listed: it stopped (as the analysis says).
      if (lastAt !== null && p.fallAt - lastAt >= 14 * DAY_MS) {
        p.fallAt = lastAt;
        p.fallKind = 'stopped';
      }
      const sent = (row.get('sent') as Array<Record<string, unknown>>).map((t) => ({
        at: toNumber(t.at),
        amount: toNumber(t.amount),
        currency: t.currency as string,
        channel: (t.channel as string | null) ?? null,
      }));
      p.profile = profileFromTransfers(sent, toBase);
      relationsOf.set(
        id,
        (row.get('relations') as Array<Record<string, unknown>>)
          .map((x) => ({ id: x.id as string, first: toNumber(x.first), last: toNumber(x.last) }))
          .filter((x) => x.id !== id),
      );
    }
  }
  // Degrees and hub flags of the counterparties, as the served run stored them; a counterparty the
  // run did not see (it appeared after the run) is counted now.
  const allCps = [...new Set([...relationsOf.values()].flatMap((rs) => rs.map((r) => r.id)))];
  const degree = await accountsInRun(deps, runId, allCps, windowFrom, hubThreshold);
  // Each predecessor's cluster in that run (the cluster substitute of the migration score).
  for (const [id, x] of await accountsInRun(deps, runId, ids, windowFrom, hubThreshold)) preds.get(id)!.cluster = x.cluster;
  for (const [id, rels] of relationsOf) {
    const p = preds.get(id)!;
    const kept = rels
      .filter((r) => degree.get(r.id)?.hub === false)
      .sort((a, b) => b.last - a.last || (a.id < b.id ? -1 : 1))
      .slice(0, config.watch.maxCounterparties);
    p.former = kept.length;
    for (const r of kept) {
      const d = degree.get(r.id)!.d;
      p.formerWeight += counterpartyWeight(d);
      const cp = cps.get(r.id) ?? { d, p: [] };
      cp.p.push(id);
      if (r.first > p.fallAt) (cp.late ??= []).push(id);
      cps.set(r.id, cp);
    }
  }

  // Write the new generation, switch to it, drop the one before.
  const redisNumber = (raw: string | null) => (raw === null ? null : Number(raw));
  const previous = redisNumber(await redis.get(keys.built));
  const gen = version;
  await redis.del(keys.pred(gen), keys.cp(gen), keys.meta(gen));
  let bytes = 0;
  const write = async (key: string, map: Map<string, unknown>) => {
    let batch: string[] = [];
    for (const [field, value] of map) {
      const json = JSON.stringify(value);
      bytes += field.length + json.length;
      batch.push(field, json);
      if (batch.length >= 2000) {
        await redis.hset(key, ...batch);
        batch = [];
      }
    }
    if (batch.length) await redis.hset(key, ...batch);
  };
  await write(keys.pred(gen), preds);
  await write(keys.cp(gen), cps);
  const droppedCount = [...preds.values()].filter((p) => p.dropped).length;
  const info: WatchSetInfo = { version: gen, predecessors: preds.size, counterparties: cps.size, bytes, dropped: droppedCount };
  await redis.hset(keys.meta(gen), {
    version: String(gen),
    runId: runId ?? '',
    hubThreshold: String(hubThreshold),
    builtAt: String(Date.now()),
    predecessors: String(preds.size),
    dropped: String(droppedCount),
    counterparties: String(cps.size),
    bytes: String(bytes),
  });
  await redis.set(keys.built, String(gen));
  // A served version whose mark was lost (Redis down during its publication) is caught up here.
  const served = redisNumber(await redis.get(keys.served));
  if (served === null || served < gen) await redis.set(keys.served, String(gen));
  // The generation before goes after a grace minute, not at once: a worker in the middle of a job
  // still reads it (HMGET on deleted keys would drop that job's evidence without a word).
  if (previous !== null && previous !== gen)
    await Promise.all([keys.pred(previous), keys.cp(previous), keys.meta(previous)].map((k) => redis.pexpire(k, OLD_GENERATION_GRACE_MS)));
  return info;
}

/** An account as a run saw it: degree (in + out relations), hub flag, cluster (null: in none). */
export interface RunAccount {
  d: number;
  hub: boolean;
  cluster: string | null;
}

/**
 * The distinct counterparties at which the run made an account a hub (findHubs: ACCTNET_HUB_MIN_DEGREE,
 * or 20× the median account's when that is more), from the run's counts; ACCTNET_HUB_MIN_DEGREE for
 * no run, or a run recorded before the threshold was (2026-12-05).
 */
export function hubThresholdOf(counts: Record<string, number> | null | undefined, config: Config): number {
  const t = counts?.hubThreshold;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : config.analysis.hubMinDegree;
}

/**
 * Accounts as the run stored them (AccountResult); one the run did not see (it appeared after the
 * run) has its degree counted now in the window from `windowFrom`, is a hub at the run's threshold
 * of distinct counterparties (hubThresholdOf), as the run would have made it, and has no cluster.
 */
export async function accountsInRun(
  deps: Pick<WatchDeps, 'config' | 'driver'>,
  runId: string | null | undefined,
  ids: readonly string[],
  windowFrom: number,
  hubThreshold: number,
): Promise<Map<string, RunAccount>> {
  const { read } = txRunner(deps.driver, deps.config.neo4j);
  const out = new Map<string, RunAccount>();
  if (runId) {
    for (let k = 0; k < ids.length; k += 5000) {
      const r = await read((tx) => tx.run(cypher('watch/counterparty-degrees'), { runId, ids: ids.slice(k, k + 5000) }));
      for (const row of r.records) {
        const m = JSON.parse(row.get('metrics') as string) as { hub?: boolean; inDegree?: number; outDegree?: number };
        out.set(row.get('id') as string, {
          d: (m.inDegree ?? 0) + (m.outDegree ?? 0),
          hub: m.hub === true,
          cluster: (row.get('clusterId') as string | null) ?? null,
        });
      }
    }
  }
  const missing = ids.filter((c) => !out.has(c));
  for (let k = 0; k < missing.length; k += 5000) {
    const r = await read((tx) =>
      tx.run(cypher('watch/live-degrees'), { ids: missing.slice(k, k + 5000), from: int(windowFrom), to: int(dataTimeLimit(deps.config)) }),
    );
    for (const row of r.records) {
      const d = toNumber(row.get('degree'));
      out.set(row.get('id') as string, { d, hub: toNumber(row.get('counterparties')) >= hubThreshold, cluster: null });
    }
  }
  return out;
}

/**
 * The version the current set was built for, rebuilt first when the served version moved on (one
 * process builds, under a lock; the others wait for it). null: the watch has nothing to watch.
 */
export async function currentWatchSet(deps: WatchDeps): Promise<number | null> {
  const keys = watchKeys(deps.config.queue.prefix);
  let [served, built] = await deps.redis.mget(keys.served, keys.built);
  if (served === null) {
    // No publication since Redis started (or since the watch was switched on): ask Neo4j once.
    const state = await createBlacklistRepository(deps.driver, deps.config.neo4j).state();
    served = String(state.servedVersion ?? 0);
    await deps.redis.set(keys.served, served, 'NX');
  }
  if (served !== built) {
    await withRedisLock(
      deps.redis,
      keys.lock,
      async () => {
        const [s, b] = await deps.redis.mget(keys.served, keys.built);
        if (s !== b || b === null) await buildWatchSet(deps);
      },
      { ttlMs: 120_000, waitMs: 120_000 },
    );
    built = await deps.redis.get(keys.built);
  }
  return built === null ? null : Number(built);
}

/**
 * The run whose degrees, hub flags and clusters the set of generation `gen` was built from (runId
 * null: none), with its hub threshold (hubThresholdOf; a set built before it was stored: the setting).
 */
export async function watchSetRun(redis: Redis, config: Config, gen: number): Promise<{ runId: string | null; hubThreshold: number }> {
  const [runId, threshold] = await redis.hmget(watchKeys(config.queue.prefix).meta(gen), 'runId', 'hubThreshold');
  return { runId: runId || null, hubThreshold: hubThresholdOf(threshold ? { hubThreshold: Number(threshold) } : null, config) };
}

export async function watchSetInfo(redis: Redis, prefix: string): Promise<WatchSetInfo | null> {
  const keys = watchKeys(prefix);
  const built = await redis.get(keys.built);
  if (built === null) return null;
  const [m, pending] = await Promise.all([redis.hgetall(keys.meta(Number(built))), redis.zcard(keys.pending)]);
  return {
    pending,
    version: Number(built),
    predecessors: Number(m.predecessors ?? 0),
    dropped: Number(m.dropped ?? 0),
    counterparties: Number(m.counterparties ?? 0),
    bytes: Number(m.bytes ?? 0),
  };
}
