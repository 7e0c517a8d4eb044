// The successor watch at ingest: after an ingest job is written, its transfers that touch the watch
// set (a listed or fraud-labelled account A, or one of A's former counterparties) and a young or
// surging account S update S's evidence per predecessor A, scored by the same scorer as runs
// (analysis/migration.ts scoreMigration). A pair at or above its bar (ACCTNET_WATCH_TAKEOVER_MIN_SCORE
// when S took over two or more of A's former counterparties, else ACCTNET_WATCH_MIN_SCORE) becomes a
// provisional migration; the successor of a listed account is auto-listed through the one
// publication path (ACCTNET_WATCH_AUTO_LIST), within the breaker's hourly cap.
import type { Redis } from 'ioredis';
import type { Driver } from 'neo4j-driver';
import {
  MIGRATION_DEFAULTS,
  directTransfers,
  counterpartyWeight,
  listedFallAt,
  releasedAt,
  profileSimilarity,
  scoreMigration,
  takenOver,
  type FallKind,
  type Migration,
  type PairInputs,
  type RiseKind,
} from '../analysis/migration.js';
import { provisionalListScore } from '../analysis/blacklist.js';
import { publishVersion, type PublishDeps } from '../blacklist/publish.js';
import { servedListSettings } from '../blacklist/list-settings.js';
import { enqueuePublishRetry } from '../queue/publish-queue.js';
import { LockTimeout, withRedisLock } from '../redis/lock.js';
import type { Config } from '../config/index.js';
import { dataTimeLimit } from '../ingest/rules.js';
import type { Logger } from '../logger.js';
import { int, toNumber, toNumberOrNull } from '../neo4j/convert.js';
import { cypher } from '../neo4j/cypher.js';
import { createSuccessorRepository, successorKey } from '../neo4j/repositories/successors.js';
import { txRunner } from '../neo4j/session.js';
import { appendAudit } from '../neo4j/repositories/audit.js';
import { converter } from '../runs/analysis-job.js';
import { WATCH_ACTOR } from '../runs/recompute.js';
import {
  accountsInRun,
  alignProfiles,
  currentWatchSet,
  DAY_MS,
  profileFromTransfers,
  watchKeys,
  watchSetRun,
  type WatchCounterparty,
  type WatchPredecessor,
} from './watch-set.js';

/** Fields per command: an argument list is bounded by the call stack (no spread of unbounded arrays). */
const ARG_SLICE = 10_000;

/**
 * Whether an account dealt with predecessor `a` before `a` fell (a former counterparty: dealing on
 * side by side is not a takeover, so it is not `a`'s successor). One that first dealt with `a`
 * after its fall still can be.
 */
function formerOf(cp: WatchCounterparty | undefined, a: string): boolean {
  return cp !== undefined && cp.p.includes(a) && !(cp.late ?? []).includes(a);
}

/** A multi-field read (HMGET, ZMSCORE) of any number of fields, in slices; values in the fields' order. */
async function readAll(fields: readonly string[], read: (slice: string[]) => Promise<Array<string | null>>): Promise<Array<string | null>> {
  const out: Array<string | null> = [];
  for (let k = 0; k < fields.length; k += ARG_SLICE) for (const value of await read(fields.slice(k, k + ARG_SLICE))) out.push(value);
  return out;
}
const hmgetAll = (redis: Redis, key: string, fields: readonly string[]) => readAll(fields, (slice) => redis.hmget(key, ...slice));
/** Every field of a hash, read in HSCAN pages. */
async function hashFields(redis: Redis, key: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', 1000);
    for (let k = 0; k < flat.length; k += 2) out.push(flat[k]!);
    cursor = next;
  } while (cursor !== '0');
  return out;
}
/** Scores (null: not a member) in the members' order. */
const zmscoreAll = (redis: Redis, key: string, members: readonly string[]) => readAll(members, (slice) => redis.zmscore(key, ...slice));

export interface WatchedTransfer {
  from: string;
  to: string;
  at: number;
}

export interface WatchOutcome {
  /** Successor candidates (pairs A → S) whose evidence was updated. */
  evaluated: number;
  /** New provisional migrations. */
  provisional: number;
  /** Successors put on the list (a version was published for them). */
  autoListed: number;
  /** Successors the breaker kept off the list. */
  breakerHeld: number;
  /** The version published for auto-listed successors (null: none, or pending behind another publication). */
  version: number | null;
}

/** A pending successor is scored again, with any job, after this much data time without a scoring… */
const PENDING_RESCORE_MS = 3_600_000;
/** …at most this many per job (the oldest first). */
const PENDING_RESCORE_BATCH = 100;
/** A decision on one link (two reads, a record, a listing) takes milliseconds; a worker waits this long for another's. */
const ACCOUNT_LOCK = { ttlMs: 30_000, waitMs: 30_000 };

const EMPTY: WatchOutcome = { evaluated: 0, provisional: 0, autoListed: 0, breakerHeld: 0, version: null };
/**
 * Surge at ingest, in the units runs use (migration.ts detectRise): the analysis' recent part
 * (recentBuckets activity buckets of ACCTNET_BUCKET_DAYS, four weeks by default) against the rest of
 * the window, rates per bucket.
 */
export function recentSpanMs(config: Config): number {
  return MIGRATION_DEFAULTS.recentBuckets * config.analysis.bucketDays * DAY_MS;
}

// Rolling-hour breaker, atomic across processes: drop entries older than an hour, count, add if below the cap.
const BREAKER = `
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1] - 3600000)
local n = redis.call('zcard', KEYS[1])
if n >= tonumber(ARGV[2]) then return -n end
redis.call('zadd', KEYS[1], ARGV[1], ARGV[3])
redis.call('pexpire', KEYS[1], 3600000)
return n + 1`;

/** Where a pair A → S stops in the watch, and what it had (diagnose). */
export interface PairTrace {
  stage: string;
  transfers?: number;
  firstSeenAt?: number | null;
  rise?: { at: number; kind: RiseKind } | null;
  fallAt?: number;
  fallKind?: string;
  former?: number;
  watchedCounterpartiesOfS?: number;
  takenOver?: number;
  sharedDetail?: Array<{ id: string; first: number; aLast: number | null }>;
  link?: Migration | undefined;
}

export interface Candidate {
  id: string;
  firstSeenAt: number | null;
  relations: Array<{ id: string; dir: 'in' | 'out'; first: number; last: number; n: number }>;
  recent: number;
  earlier: number;
  sent: Array<{ at: number; amount: number; currency: string; channel: string | null }>;
}

/**
 * A successor candidate from its transfers in the window (one read per candidate): relations per
 * counterparty and direction (first, last, count), transfers in the recent weeks and before, and
 * the outgoing ones for the profile, in time order.
 */
export function candidateFrom(
  id: string,
  firstSeenAt: number | null,
  transfers: ReadonlyArray<Record<string, unknown>>,
  now: number,
  recentMs: number,
): Candidate {
  const recentFrom = now - recentMs;
  const relations = new Map<string, Candidate['relations'][number]>();
  const sent: Candidate['sent'] = [];
  let recent = 0;
  let earlier = 0;
  for (const t of transfers) {
    const at = toNumber(t.at);
    const c = t.c as string;
    const dir = t.out ? 'out' : 'in';
    const key = `${dir}:${c}`;
    const r = relations.get(key);
    if (r) {
      if (at < r.first) r.first = at;
      if (at > r.last) r.last = at;
      r.n++;
    } else relations.set(key, { id: c, dir, first: at, last: at, n: 1 });
    if (at >= recentFrom) recent++;
    else earlier++;
    if (t.out) sent.push({ at, amount: toNumber(t.amount), currency: t.currency as string, channel: (t.channel as string | null) ?? null });
  }
  sent.sort((a, b) => a.at - b.at || a.amount - b.amount);
  return { id, firstSeenAt, relations: [...relations.values()], recent, earlier, sent };
}

/** What riseOf reads of a candidate: its transfers in the window, and their first. */
export interface RiseInput {
  firstSeenAt: number | null;
  transfers: number;
  /** Of them, in the recent buckets (recentSpanMs). */
  recent: number;
  /** Distinct counterparties. */
  counterparties: number;
  /** Infinity: none. */
  firstInWindow: number;
}

/** A candidate's rise input from its full read. */
export function riseInput(c: Candidate): RiseInput {
  let firstInWindow = Infinity;
  for (const r of c.relations) if (r.first < firstInWindow) firstInWindow = r.first;
  return {
    firstSeenAt: c.firstSeenAt,
    transfers: c.recent + c.earlier,
    recent: c.recent,
    counterparties: new Set(c.relations.map((r) => r.id)).size,
    firstInWindow,
  };
}

export interface SuccessorWatchDeps {
  config: Config;
  driver: Driver;
  redis: Redis;
  publish: PublishDeps;
  log: Logger;
  /** How long a publication for an auto-listed successor waits for the lock (another holder publishes it otherwise). */
  publishWaitMs?: number;
}

/**
 * Young (first seen within ACCTNET_WATCH_YOUNG_DAYS) or surging (as runs judge it, per activity
 * bucket of ACCTNET_BUCKET_DAYS), not a hub (distinct counterparties at the served run's hub
 * threshold, as a run counts them): when did it rise. `recent` must have been counted over
 * recentSpanMs(config).
 */
export function riseOf(c: RiseInput, now: number, hubThreshold: number, config: Config): { at: number; kind: RiseKind } | null {
  const o = MIGRATION_DEFAULTS;
  if (c.transfers < o.minRiseTransfers) return null;
  if (c.counterparties >= hubThreshold) return null;
  const first = c.firstSeenAt ?? c.firstInWindow;
  if (now - first <= config.watch.youngDays * DAY_MS) return { at: Math.max(first, Math.min(c.firstInWindow, now)), kind: 'new' };
  const recentMs = recentSpanMs(config);
  const bucketMs = config.analysis.bucketDays * DAY_MS;
  // As detectRise: a window of fewer than twice the recent buckets has no earlier rate to surge from.
  const windowMs = config.analysis.windowDays * DAY_MS;
  if (Math.ceil(windowMs / bucketMs) < 2 * o.recentBuckets) return null;
  const earlierBuckets = Math.max(1, (config.analysis.windowDays * DAY_MS - recentMs) / bucketMs);
  const recentRate = c.recent / o.recentBuckets;
  const beforeRate = (c.transfers - c.recent) / earlierBuckets;
  if (recentRate >= 3 && recentRate >= o.surgeRatio * Math.max(beforeRate, 0.25)) return { at: now - recentMs, kind: 'surge' };
  return null;
}

export function createSuccessorWatch(deps: SuccessorWatchDeps) {
  const { config, driver, redis, log } = deps;
  const keys = watchKeys(config.queue.prefix);
  const { read, write } = txRunner(driver, config.neo4j);
  const successors = createSuccessorRepository(driver, config.neo4j);
  const toBase = converter(config);
  const o = MIGRATION_DEFAULTS;
  const recentMs = recentSpanMs(config);

  const parse = <T>(raw: string | null): T | null => (raw === null ? null : (JSON.parse(raw) as T));
  /**
   * The bar a link must reach to be recorded: a takeover (≥ 2 of A's former counterparties now with
   * S) needs ACCTNET_WATCH_TAKEOVER_MIN_SCORE (loadConfig keeps it at most the other), a link on less
   * evidence ACCTNET_WATCH_MIN_SCORE.
   */
  const barOf = (link: Migration) => (link.evidence.sharedCounterparties >= 2 ? config.watch.takeoverMinScore : config.watch.minScore);

  /**
   * The ids in a watch-set generation's two hashes, held in memory: a generation is written once, by
   * its build (a rebuild of the same version, e.g. after Redis lost it, has another `builtAt`), so a
   * job asks Redis only for the values of its accounts that are members — not for every account of
   * the job. Read with HSCAN (Redis is never blocked by one large read).
   */
  let members: { gen: number; builtAt: string; preds: Set<string>; cps: Set<string> } | null = null;
  async function membersOf(gen: number, builtAt: string) {
    if (members && members.gen === gen && members.builtAt === builtAt) return members;
    const [preds, cps] = await Promise.all([hashFields(redis, keys.pred(gen)), hashFields(redis, keys.cp(gen))]);
    members = { gen, builtAt, preds: new Set(preds), cps: new Set(cps) };
    return members;
  }

  async function loadCandidates(ids: string[], now: number): Promise<Map<string, Candidate>> {
    const r = await read((tx) =>
      tx.run(cypher('watch/candidate-accounts'), {
        ids,
        from: int(now - config.analysis.windowDays * DAY_MS + 1),
        to: int(dataTimeLimit(config)),
      }),
    );
    const out = new Map<string, Candidate>();
    for (const row of r.records) {
      const id = row.get('id') as string;
      out.set(
        id,
        candidateFrom(id, toNumberOrNull(row.get('firstSeenAt')), row.get('transfers') as Array<Record<string, unknown>>, now, recentMs),
      );
    }
    return out;
  }

  /**
   * Of the accounts, those that rose as of `now` (riseOf), from a count of their transfers (one
   * property per transfer), so that only they are read in full (loadCandidates): most accounts a
   * job touches are neither young nor surging.
   */
  async function risen(ids: string[], now: number, hubThreshold: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const r = await read((tx) =>
      tx.run(cypher('watch/candidate-rise'), {
        ids,
        from: int(now - config.analysis.windowDays * DAY_MS + 1),
        recentFrom: int(now - recentMs),
      }),
    );
    const out: string[] = [];
    for (const row of r.records) {
      const input: RiseInput = {
        firstSeenAt: toNumberOrNull(row.get('firstSeenAt')),
        transfers: toNumber(row.get('transfers')),
        recent: toNumber(row.get('recent')),
        counterparties: toNumber(row.get('counterparties')),
        firstInWindow: toNumberOrNull(row.get('firstInWindow')) ?? Infinity,
      };
      if (riseOf(input, now, hubThreshold, config)) out.push(row.get('id') as string);
    }
    return out;
  }

  /** Lists S (or says why not); `replacing`: S was listed under a weaker link just superseded, so the breaker is not charged again. */
  async function list(
    key: string,
    p: WatchPredecessor,
    depth: number,
    now: number,
    replacing: boolean,
    listScore: number,
  ): Promise<{ listed: boolean; breaker: boolean }> {
    let heldBecause: string | null = null;
    let breaker = false;
    let threshold: number | undefined;
    if (!p.listed)
      heldBecause = p.dropped
        ? 'the predecessor is not on the served list (a later run dropped it): waits for an investigator'
        : 'the predecessor is not on the served list: waits for an investigator';
    else if (!config.watch.autoList) heldBecause = 'ACCTNET_WATCH_AUTO_LIST is off: waits for an investigator';
    // As a run lists: S would score A's score × the link's, and a run would not list it below the
    // threshold — the served run's (the publication judges it by that run's, not this process's).
    else if (listScore < (threshold ??= (await servedListSettings(driver, config)).threshold))
      heldBecause = `its list score ${listScore} is below ACCTNET_BLACKLIST_THRESHOLD=${threshold} (the served run's): waits for an investigator`;
    else if (depth > config.watch.chainDepth) heldBecause = `the chain is deeper than ACCTNET_WATCH_CHAIN_DEPTH=${config.watch.chainDepth}`;
    else if (!replacing) {
      const n = Number(await redis.eval(BREAKER, 1, keys.autoListed, String(now), String(config.watch.maxAutoListPerHour), key));
      if (n <= 0) {
        breaker = true;
        heldBecause = `circuit breaker: ${-n} successors auto-listed in the last hour (ACCTNET_WATCH_MAX_AUTO_LIST_PER_HOUR=${config.watch.maxAutoListPerHour}); waits for review`;
      }
    }
    await successors.setListing(key, heldBecause === null, heldBecause, heldBecause === null ? now : null);
    return { listed: heldBecause === null, breaker };
  }

  return {
    /**
     * The link the watch would score for A → S as of `now` (data time), recording nothing; undefined
     * when S is not a successor candidate of A (not young or surging, outside the timing window, no evidence).
     */
    async explain(from: string, to: string, now: number): Promise<Migration | undefined> {
      const gen = await currentWatchSet(deps);
      if (gen === null) return undefined;
      const scored = await scorePairs(gen, new Map([[to, new Set([from])]]), now, new Map(), new Map());
      return scored[0]?.link;
    },
    /** What the watch sees for A → S as of `now`: the stage at which the pair stops, and its evidence (for evaluations). */
    async diagnose(from: string, to: string, now: number): Promise<PairTrace> {
      const trace: PairTrace = { stage: 'no watch set' };
      const gen = await currentWatchSet(deps);
      if (gen === null) return trace;
      trace.stage = 'predecessor not in the watch set';
      await scorePairs(gen, new Map([[to, new Set([from])]]), now, new Map(), new Map(), trace);
      // A run listed S (or it is labelled fraud): a firm predecessor is nobody's successor at ingest
      // (evaluate skips it), whatever its evidence scores.
      if (parse<WatchPredecessor>(await redis.hget(keys.pred(gen), to))?.depth === 0)
        trace.stage = 'successor itself listed by a run or labelled';
      return trace;
    },
    /** Evaluates the transfers an ingest job just wrote. Never throws: the job is committed; a failure is logged and counted. */
    async afterWrite(transfers: readonly WatchedTransfer[]): Promise<WatchOutcome> {
      if (!config.watch.enabled || transfers.length === 0) return { ...EMPTY };
      try {
        return await evaluate(transfers);
      } catch (err) {
        log.warn(
          { err: (err as Error).message },
          'successor watch failed for an ingest job (the job is written; later transfers are evaluated again)',
        );
        await redis.hincrby(keys.stats, 'failures', 1).catch(() => {});
        return { ...EMPTY };
      }
    },
  };

  /** Scores pairs A → S as of `now` (data time): the evidence read from Neo4j and the watch set, the scorer shared with runs. */
  async function scorePairs(
    gen: number,
    pairs: ReadonlyMap<string, ReadonlySet<string>>,
    now: number,
    preds: Map<string, WatchPredecessor>,
    cps: Map<string, WatchCounterparty>,
    trace?: PairTrace,
    allPredecessors = false,
  ): Promise<Array<{ a: string; s: string; p: WatchPredecessor; link: Migration | undefined; ceiling: number }>> {
    // Only the accounts that rose are read in full (a trace explains every stage, so it reads all).
    const setRun = await watchSetRun(redis, config, gen);
    const ids = [...pairs.keys()];
    const candidates = await loadCandidates(trace ? ids : await risen(ids, now, setRun.hubThreshold), now);
    // A candidate that did not rise is scored with no predecessor (riseOf below): left out at once.
    if (!trace) pairs = new Map([...pairs].filter(([sId]) => candidates.has(sId)));
    // The candidates' counterparties' membership.
    const needCps = [...new Set([...candidates.values()].flatMap((c) => c.relations.map((r) => r.id)))].filter((c) => !cps.has(c));
    if (needCps.length) {
      const raw = await hmgetAll(redis, keys.cp(gen), needCps);
      needCps.forEach((c, k) => {
        const x = parse<WatchCounterparty>(raw[k] ?? null);
        if (x) cps.set(c, x);
      });
    }
    // allPredecessors: every watched predecessor S's evidence points to (a former counterparty of it
    // now dealing with S, or money from it), not only those of the job — the best one is kept.
    if (allPredecessors) {
      const wide = new Map<string, Set<string>>();
      for (const [sId, given] of pairs) {
        const set = new Set(given);
        for (const r of candidates.get(sId)?.relations ?? []) {
          for (const a of cps.get(r.id)?.p ?? []) set.add(a);
          if (r.dir === 'in') set.add(r.id);
        }
        // As for the job's own pairs: S is not its own predecessor, nor the successor of an account it dealt with before.
        set.delete(sId);
        for (const a of cps.get(sId)?.p ?? []) if (formerOf(cps.get(sId), a)) set.delete(a);
        wide.set(sId, set);
      }
      pairs = wide;
    }
    // Predecessors of the pairs not in this job (a sender to S that is not watched is dropped below).
    const needPreds = [...new Set([...pairs.values()].flatMap((s) => [...s]))].filter((a) => !preds.has(a));
    if (needPreds.length) {
      const raw = await hmgetAll(redis, keys.pred(gen), needPreds);
      needPreds.forEach((a, k) => {
        const p = parse<WatchPredecessor>(raw[k] ?? null);
        if (p) preds.set(a, p);
      });
    }

    // Scoring inputs per pair; the predecessor's last transfer with each possibly shared counterparty is read now.
    interface Pending {
      a: string;
      s: Candidate;
      p: WatchPredecessor;
      fall: { at: number; kind: FallKind };
      rise: { at: number; kind: RiseKind };
      shared: Array<{ id: string; first: number; weight: number }>;
    }
    const pending: Pending[] = [];
    // Each predecessor's fall as of now, the way the next run will see it: silent for the quiet days,
    // it stopped at its last transfer; else it fell when listed, or at its last transfer when it
    // carried on after its listing and has been silent for a day since; else it is still trading and
    // has not fallen (migration.ts listedFall).
    const lastOfPred = new Map<string, number>();
    const predIds = [...new Set([...pairs.values()].flatMap((x) => [...x]))].filter((a) => preds.has(a));
    if (predIds.length) {
      const r = await read((tx) => tx.run(cypher('watch/last-transfers'), { ids: predIds, now: int(now) }));
      for (const row of r.records) {
        const last = toNumberOrNull(row.get('last'));
        if (last !== null) lastOfPred.set(row.get('id') as string, last);
      }
    }
    // A predecessor a run dropped: when the list let it go (after that, trading, it has not fallen by its listing).
    const releasedOf = (p: WatchPredecessor) => (p.dropped && p.droppedAt !== undefined ? releasedAt(p.droppedAt, o) : undefined);
    const fallOf = (a: string, p: WatchPredecessor): { at: number; kind: FallKind } | undefined => {
      // Too few transfers to fall, as in a run (a count from the set's build: sets built before it have none).
      if (p.transfers !== undefined && p.transfers < o.minFallTransfers) return undefined;
      const last = lastOfPred.get(a) ?? null;
      if (last !== null && now - last >= o.quietDays * DAY_MS) return { at: last, kind: 'stopped' };
      const at = listedFallAt(p.fallAt, last, now, o.listedQuietDays, releasedOf(p));
      return at === undefined ? undefined : { at, kind: at > p.fallAt ? 'listed' : p.fallKind };
    };
    for (const [sId, preds_] of pairs) {
      const s = candidates.get(sId);
      if (!s) {
        if (trace) trace.stage = 'successor not stored';
        continue;
      }
      const rise = riseOf(riseInput(s), now, setRun.hubThreshold, config);
      if (trace) {
        trace.transfers = s.recent + s.earlier;
        trace.firstSeenAt = s.firstSeenAt;
        trace.rise = rise;
      }
      if (!rise) {
        if (trace) trace.stage = 'successor not young or surging';
        continue;
      }
      // S itself in the set (evaluate reads the record of every account of its job and every pending
      // one; explain and diagnose score the pair they are asked about): a provisional successor
      // (depth d ≥ 1) is scored only against predecessors above it in a chain (depth < d), so that a
      // stronger link can supersede its own and no chain turns into a cycle. (Evaluate never asks
      // for a firm predecessor, depth 0, as a successor.)
      const own = preds.get(sId);
      for (const a of preds_) {
        const p = preds.get(a);
        if (!p) {
          if (trace) trace.stage = 'predecessor not in the watch set';
          continue;
        }
        if (own && p.depth >= own.depth) {
          if (trace) trace.stage = 'successor is itself a predecessor at the same or a higher level';
          continue;
        }
        const fall = fallOf(a, p);
        if (!fall) {
          if (trace) {
            const last = lastOfPred.get(a);
            const released = releasedOf(p);
            trace.stage =
              p.transfers !== undefined && p.transfers < o.minFallTransfers
                ? 'predecessor has too few transfers to fall'
                : released !== undefined && last !== undefined && last > released
                  ? 'predecessor traded after the run that dropped it'
                  : 'predecessor still trading after its listing';
          }
          continue;
        }
        const gap = rise.at - fall.at;
        if (trace) {
          trace.fallAt = fall.at;
          trace.fallKind = fall.kind;
          trace.former = p.former;
        }
        if (gap < -o.maxLeadDays * DAY_MS || gap > o.maxLagDays * DAY_MS) {
          if (trace) trace.stage = 'rise outside the timing window';
          continue;
        }
        const firstWith = new Map<string, number>();
        for (const r of s.relations) {
          if (r.id === a || !cps.get(r.id)?.p.includes(a)) continue;
          firstWith.set(r.id, Math.min(firstWith.get(r.id) ?? Infinity, r.first));
        }
        pending.push({
          a,
          s,
          p,
          fall,
          rise,
          shared: [...firstWith].map(([id, first]) => ({ id, first, weight: counterpartyWeight(cps.get(id)!.d) })),
        });
      }
    }
    if (pending.length === 0) return [];
    // The successors' counterparties as the served run saw them (degree, hub flag, cluster): the
    // cluster substitute of the score is the share of them in the predecessor's cluster, the
    // successor share the share of them (weighted) taken over from the predecessor.
    const inRun = await accountsInRun(
      deps,
      setRun.runId,
      [...new Set(pending.flatMap((x) => x.s.relations.map((r) => r.id)))],
      now - config.analysis.windowDays * DAY_MS + 1,
      setRun.hubThreshold,
    );
    // All of S's non-hub counterparties but A (and S), weighted as a run weighs them.
    const successorWeight = (x: Pending) => {
      let w = 0;
      for (const id of new Set(x.s.relations.map((r) => r.id))) {
        const c = inRun.get(id);
        if (!c || c.hub || id === x.s.id || id === x.a) continue;
        w += counterpartyWeight(c.d);
      }
      return w;
    };
    const successorCounterparties = (x: Pending) => {
      // A predecessor in no cluster of the served run (or a set built before clusters were stored):
      // nothing is in its cluster, as in a run for an account in no cluster.
      const cluster = x.p.cluster ?? null;
      const out: Array<{ id: string; weight: number; inCluster: boolean }> = [];
      if (cluster === null) return out;
      for (const id of new Set(x.s.relations.map((r) => r.id))) {
        const c = inRun.get(id);
        if (!c || c.hub || id === x.s.id) continue;
        out.push({ id, weight: counterpartyWeight(c.d), inCluster: cluster !== null && (id === x.a || c.cluster === cluster) });
      }
      return out;
    };
    const lastOf = new Map<string, number>();
    const pairList = pending.flatMap((x) => x.shared.map((c) => ({ a: x.a, c: c.id })));
    if (pairList.length) {
      const r = await read((tx) => tx.run(cypher('watch/pair-last'), { pairs: pairList }));
      for (const row of r.records) {
        const last = toNumberOrNull(row.get('last'));
        if (last !== null) lastOf.set(successorKey(row.get('a'), row.get('c')), last);
      }
    }

    return pending.map((x) => {
      const riseFrom = x.rise.at - DAY_MS;
      const shared = x.shared.filter((c) => takenOver(lastOf.get(successorKey(x.a, c.id)) ?? -Infinity, c.first, riseFrom));
      if (trace) {
        trace.watchedCounterpartiesOfS = x.shared.length;
        trace.takenOver = shared.length;
        trace.sharedDetail = x.shared.map((c) => ({ id: c.id, first: c.first, aLast: lastOf.get(successorKey(x.a, c.id)) ?? null }));
      }
      const fromA = x.s.relations.find((r) => r.id === x.a && r.dir === 'in');
      const [pa, ps] = alignProfiles(x.p.profile, profileFromTransfers(x.s.sent, toBase));
      const inputs: PairInputs = {
        from: x.a,
        to: x.s.id,
        fall: x.fall,
        rise: x.rise,
        formerCounterparties: x.p.former,
        formerWeight: x.p.formerWeight,
        shared,
        directTransfers: fromA ? directTransfers({ first: fromA.first, last: fromA.last, count: fromA.n }, x.fall.at) : 0,
        profileSimilarity: profileSimilarity(pa, ps),
        successorCounterparties: successorCounterparties(x),
        successorWeight: successorWeight(x),
        sameCluster: false,
      };
      const link = scoreMigration(inputs);
      // The most S's own later transfers could make of this evidence without anything watched: a
      // profile like A's, every counterparty in A's cluster (when A has one). Below the bar, only
      // new watched evidence can lift the pair, and that is evaluated without S being pending.
      const ceiling = link
        ? scoreMigration({
            ...inputs,
            profileSimilarity: 1,
            successorCounterparties: (x.p.cluster ?? null) === null ? [] : [{ id: x.a, weight: 1, inCluster: true }],
          })!.score
        : 0;
      if (trace) {
        trace.link = link;
        trace.stage = !link
          ? 'no evidence (nothing taken over, no money from A)'
          : link.score < barOf(link)
            ? 'score below the minimum'
            : 'recorded';
      }
      return { a: x.a, s: x.s.id, p: x.p, link, ceiling };
    });
  }

  async function evaluate(transfers: readonly WatchedTransfer[]): Promise<WatchOutcome> {
    const gen = await currentWatchSet(deps);
    if (gen === null) return { ...EMPTY };
    const inJob = new Set(transfers.flatMap((t) => [t.from, t.to]));
    const ids = [...inJob];
    let latest = -Infinity;
    for (const t of transfers) if (t.at > latest) latest = t.at;
    // Pending successors not scored for PENDING_RESCORE_MS of data time are scored again with this
    // job even without a transfer of theirs: the predecessor's fall (silent for the quiet days, or
    // trading after its listing) and the timing term move with time alone.
    const [builtAt, pendingCount, dueRaw] = await Promise.all([
      redis.hget(keys.meta(gen), 'builtAt'),
      redis.zcard(keys.pending),
      redis.zrangebyscore(keys.pending, '-inf', `(${latest - PENDING_RESCORE_MS}`, 'LIMIT', 0, PENDING_RESCORE_BATCH),
    ]);
    const set = await membersOf(gen, builtAt ?? '');
    const due = dueRaw.filter((id) => !inJob.has(id));
    const predIds = [...ids, ...due].filter((id) => set.preds.has(id));
    const cpIds = ids.filter((id) => set.cps.has(id));
    // Pending successors among the job's accounts: the whole (small) sorted set when it has fewer
    // members than the job has accounts, else a score per account.
    const [predRaw, cpRaw, pendingInJob] = await Promise.all([
      hmgetAll(redis, keys.pred(gen), predIds),
      hmgetAll(redis, keys.cp(gen), cpIds),
      pendingCount <= ids.length
        ? redis.zrange(keys.pending, 0, -1).then((all) => {
            const pending = new Set(all);
            return ids.filter((id) => pending.has(id));
          })
        : zmscoreAll(redis, keys.pending, ids).then((scores) => ids.filter((_, k) => scores[k] !== null)),
    ]);
    const preds = new Map<string, WatchPredecessor>();
    const cps = new Map<string, WatchCounterparty>();
    predIds.forEach((id, k) => {
      const p = parse<WatchPredecessor>(predRaw[k] ?? null);
      if (p) preds.set(id, p);
    });
    cpIds.forEach((id, k) => {
      const c = parse<WatchCounterparty>(cpRaw[k] ?? null);
      if (c) cps.set(id, c);
    });
    const pendingIds = [...pendingInJob, ...due];
    // A predecessor listed by a run or labelled (depth 0) is nobody's successor. One listed by the
    // watch itself (a provisional successor, depth ≥ 1) still is: a stronger link found later must
    // be able to supersede the one it was listed under (a group-mate that was still trading when it
    // rose often scores first).
    const firm = (id: string) => preds.get(id)?.depth === 0;
    // A pending account that is now a firm predecessor leaves the set, or it would come up as due
    // in every job and, being the oldest, crowd out the successors that are due.
    const nowPredecessors = pendingIds.filter(firm);
    if (nowPredecessors.length) await redis.zrem(keys.pending, ...nowPredecessors);
    if (preds.size === 0 && cps.size === 0 && pendingIds.length === 0) return { ...EMPTY };

    // Pairs A → S: money out of A to S, or a former counterparty of A dealing with S.
    const pairs = new Map<string, Set<string>>();
    const consider = (a: string, s: string) => {
      if (s === a || firm(s) || formerOf(cps.get(s), a)) return;
      const set = pairs.get(s) ?? new Set<string>();
      set.add(a);
      pairs.set(s, set);
    };
    for (const t of transfers) {
      if (preds.has(t.from)) consider(t.from, t.to);
      for (const a of cps.get(t.from)?.p ?? []) consider(a, t.to);
      for (const a of cps.get(t.to)?.p ?? []) consider(a, t.from);
    }
    // A successor scored with a link before is scored again on any transfer of its own, watched or
    // not: its evidence grows with its own transfers (profile, rise) and a better predecessor may
    // have turned up since (allPredecessors below finds every one its evidence points to).
    for (const sId of pendingIds) if (!firm(sId) && !pairs.has(sId)) pairs.set(sId, new Set());
    if (pairs.size === 0) return { ...EMPTY };
    const scored = await scorePairs(gen, pairs, latest, preds, cps, undefined, true);
    await keepPending(pairs, scored, latest);
    if (scored.length === 0) return { ...EMPTY };

    // One predecessor per successor and one successor per predecessor, as a run assigns them
    // (detectMigrations): the links at or above the bar, best first. A link recorded before with an
    // equal or higher score holds its successor and its predecessor; a weaker one gives way to a
    // stronger link and is superseded below. A successor whose best predecessor is held by a
    // stronger successor gets its next best.
    // A predecessor a run dropped from the list gives review leads only: its links are decided after
    // every other link of the job, never take a successor from another predecessor's link, and give
    // way to any other predecessor's link (docs/decisions.md, "The watch keeps accounts a run dropped").
    const dropped = (x: { p: WatchPredecessor }) => (x.p.dropped ? 1 : 0);
    const candidates = scored
      .filter((x) => x.link && x.link.score >= barOf(x.link))
      .sort(
        (x, y) =>
          dropped(x) - dropped(y) || y.link!.score - x.link!.score || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.s < y.s ? -1 : x.s > y.s ? 1 : 0),
      );
    const usedTo = new Set<string>();
    const usedFrom = new Set<string>();
    const out: WatchOutcome = { ...EMPTY };
    const stamp = Date.now();
    out.evaluated = scored.length;
    let listChanged = 0;
    for (const { a, s: sId, p, link } of candidates) {
      if (!link || usedTo.has(sId) || usedFrom.has(a)) continue;
      // Another worker may be deciding a link to S or from A right now (two predecessors of one
      // successor in two jobs): the recorded links are read and the decision recorded under both
      // accounts' locks, taken in id order.
      await withAccountLocks([a, sId], async () => {
        const [recordedTo, recordedFrom] = await Promise.all([successors.bestScoreFor([sId]), successors.bestScoreFrom([a])]);
        const toOther = recordedTo.get(sId);
        const otherDropped = toOther && toOther.from !== a && !p.dropped ? await isDropped(gen, toOther.from, preds) : false;
        if (toOther && toOther.from !== a && (p.dropped || (toOther.score >= link.score && !otherDropped))) {
          usedTo.add(sId);
          return;
        }
        const fromOther = recordedFrom.get(a);
        if (fromOther && fromOther.to !== sId && fromOther.score >= link.score) return;
        const depth = p.depth + 1;
        const key = successorKey(a, sId);
        // S's score on the list: A's score × the link's (as withProvisional builds it).
        const listScore = provisionalListScore(p.score, link.score);
        const recorded = await successors.record(
          {
            from: a,
            to: sId,
            score: link.score,
            listScore,
            fallAt: link.fallAt,
            riseAt: link.riseAt,
            evidence: link.evidence,
            depth,
          },
          stamp,
        );
        // Provisional or confirmed by a run: the link holds S and A. Rejected, expired or superseded:
        // never raised again, and it holds neither (S's next-best predecessor and A's next-best
        // successor in this job still count). Only a provisional link is acted on further.
        if (recorded.status === 'provisional' || recorded.status === 'confirmed') {
          usedTo.add(sId);
          usedFrom.add(a);
        }
        if (recorded.status !== 'provisional') return;
        if (recorded.created) out.provisional++;
        // A weaker link to S recorded earlier (another predecessor's, often a group-mate still trading
        // when S rose) gives way to this one; S stays listed when it was (the breaker is not charged again).
        // A dropped predecessor's link gives way whatever its score.
        const replaced =
          toOther && toOther.from !== a ? await supersede({ to: sId }, key, otherDropped ? Number.MAX_VALUE : link.score, stamp) : [];
        // So does a weaker link from A to another successor S′: S′ leaves the list if it was on it and
        // is scored again with the next job (its next-best predecessor may hold).
        const freed = fromOther && fromOther.to !== sId ? await supersede({ from: a }, key, link.score, stamp) : [];
        if (freed.length) {
          await redis.zadd(keys.pending, ...freed.flatMap((f) => [latest - PENDING_RESCORE_MS - 1, f.to]));
          if (freed.some((f) => f.wasListed)) listChanged++;
        }
        const wasListed = replaced.some((r) => r.wasListed);
        // Listed, decided, or held by the breaker (it waits for review, not for the next free slot).
        if (recorded.listed || recorded.decision !== null || (recorded.breakerHeld && !wasListed)) return;
        const listing = await list(key, p, depth, stamp, wasListed, listScore);
        if (listing.listed && !wasListed) out.autoListed++;
        if (wasListed) listChanged++; // S stays listed with the stronger link's reason, or leaves the list
        if (listing.breaker) out.breakerHeld++;
      });
    }
    await redis.hincrby(keys.stats, 'evidenceUpdates', out.evaluated);
    if (out.provisional) await redis.hincrby(keys.stats, 'provisional', out.provisional);
    if (out.breakerHeld) await redis.hincrby(keys.stats, 'breakerHeld', out.breakerHeld);
    if (out.autoListed) await redis.hincrby(keys.stats, 'autoListed', out.autoListed);
    if (out.autoListed || listChanged) out.version = await publishSuccessors(deps);
    return out;
  }

  /** Runs `fn` holding the watch's lock on each account (in id order: two workers never wait on each other in a cycle). */
  async function withAccountLocks<T>(ids: readonly string[], fn: () => Promise<T>): Promise<T> {
    const [first, ...rest] = [...new Set(ids)].sort();
    if (first === undefined) return fn();
    return withRedisLock(redis, keys.accountLock(first), () => withAccountLocks(rest, fn), ACCOUNT_LOCK);
  }

  /** Whether a predecessor of the set is one that a run dropped from the list (watch-set.ts). */
  async function isDropped(gen: number, id: string, known: ReadonlyMap<string, WatchPredecessor>): Promise<boolean> {
    const p = known.get(id) ?? parse<WatchPredecessor>(await redis.hget(keys.pred(gen), id));
    return p?.dropped === true;
  }

  /** Supersedes the weaker provisional links to S (or from A), each audited (actor system). */
  async function supersede(of: { to: string } | { from: string }, keep: string, score: number, now: number) {
    return write(async (tx) => {
      const changed = await successors.supersede(of, keep, score, now, tx);
      for (const c of changed) {
        await appendAudit(
          tx,
          WATCH_ACTOR,
          'successor.superseded',
          c.key,
          { from: c.from, to: c.to, score: c.score, supersededBy: keep, byScore: score, wasListed: c.wasListed },
          null,
        );
      }
      if (changed.length) await redis.hincrby(keys.stats, 'superseded', changed.length);
      return changed;
    });
  }

  /**
   * A successor stays pending (re-scored on any transfer of its own) while one of its links could
   * still pass the bar through S's own transfers alone (its ceiling reaches the bar) and has not yet;
   * it leaves when no link can, and after ACCTNET_WATCH_YOUNG_DAYS of data time without such a scoring.
   */
  async function keepPending(
    pairs: ReadonlyMap<string, ReadonlySet<string>>,
    scored: ReadonlyArray<{ s: string; link: Migration | undefined; ceiling: number }>,
    now: number,
  ): Promise<void> {
    // The ceiling keeps the link's counterparties, so its bar is the link's.
    const linked = new Set(scored.filter((x) => x.link && x.ceiling >= barOf(x.link) && x.ceiling > x.link.score).map((x) => x.s));
    const gone = [...pairs.keys()].filter((sId) => !linked.has(sId));
    const m = redis.multi();
    if (linked.size) m.zadd(keys.pending, ...[...linked].flatMap((sId) => [now, sId]));
    if (gone.length) m.zrem(keys.pending, ...gone);
    m.zremrangebyscore(keys.pending, '-inf', `(${now - config.watch.youngDays * DAY_MS}`);
    await m.exec();
  }
}

/**
 * Publishes the list with its provisional successors (source `watch`). The watch's inputs counter
 * is bumped first: when another publication holds the lock longer than we wait, it publishes again
 * (as the watch) before it lets go, so the successor is never left waiting for the next run. Any
 * other failure (Neo4j unreachable, a lost lease) queues a retry with backoff on the
 * "blacklist-publish" queue (deps.publish.publishQueue). Returns the version, or null.
 */
export async function publishSuccessors(
  deps: Pick<SuccessorWatchDeps, 'config' | 'driver' | 'publish' | 'publishWaitMs'> & { log: { warn(obj: object, msg: string): void } },
): Promise<number | null> {
  try {
    await createSuccessorRepository(deps.driver, deps.config.neo4j).bumpInputs();
    const p = await publishVersion(deps.publish, { source: 'watch' }, { waitMs: deps.publishWaitMs ?? 15_000 });
    return p.followUps.at(-1) ?? p.version;
  } catch (err) {
    if (err instanceof LockTimeout) {
      deps.log.warn(
        { err: err.message },
        'publication for a provisional successor is pending (the publication holding the lock includes it)',
      );
      return null;
    }
    const queue = deps.publish.publishQueue;
    const retry = queue
      ? await enqueuePublishRetry(queue).then(
          () => true,
          () => false,
        )
      : false;
    deps.log.warn(
      { err: (err as Error).message, retry },
      retry
        ? 'publication for a provisional successor failed; retried with backoff (blacklist-publish queue)'
        : 'publication for a provisional successor failed; it waits for the next publication',
    );
    return null;
  }
}
