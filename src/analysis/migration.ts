// acctnet/analysis/migration: accounts that fall (stop or drop sharply) and accounts that rise (new,
// or a sudden surge), paired when the risen account takes over the fallen one's counterparties.
// A blocked fraud account goes quiet and the same people move to a fresh account; people who change
// banks do the same. Both are migrations; whether one is risky is decided by risk, not here.
import type { AccountFeatures } from './features.js';
import { DAY_MS } from './features.js';
import { MAX_CHANNELS, type Flows } from './flows.js';
import { edgesAt, forEachNeighborIndex, pairIndex, pairOrder, type PairOrder } from './graph.js';
import { round3 } from './roles.js';

export interface MigrationOptions {
  /** An account silent for this long before asOf has stopped. */
  quietDays: number;
  /** Fewest transfers in the window for an account to be said to fall. */
  minFallTransfers: number;
  /** Fewest transfers for an account to be said to rise. */
  minRiseTransfers: number;
  /** A drop: recent activity at most this share of the account's earlier weekly rate. */
  dropRatio: number;
  /** A surge: recent activity at least this multiple of the earlier rate. */
  surgeRatio: number;
  /** Buckets compared as "recent" for drops and surges. */
  recentBuckets: number;
  /** A new account appears at least this long after the window starts (else it may predate it). */
  newAccountGraceDays: number;
  /** The rise may come this long before the fall (overlap while both run)… */
  maxLeadDays: number;
  /** …or up to this long after it. */
  maxLagDays: number;
  /** Links below this score are not reported. */
  minScore: number;
  /**
   * A link whose only evidence is one counterparty taken over (no money from the fallen account) is
   * reported from this score (or minScore, when higher): one counterparty can be chance, and for a
   * fallen account that had only that one, the overlap is trivially whole (linkBar).
   */
  minScoreOneCounterparty: number;
  /**
   * A listed account that transacted after its listing has fallen only once silent this long: until
   * then it is still trading (blocked at one gateway, paying through others), not gone.
   */
  listedQuietDays: number;
}

export const MIGRATION_DEFAULTS: MigrationOptions = {
  quietDays: 14,
  minFallTransfers: 3,
  minRiseTransfers: 2,
  dropRatio: 0.2,
  surgeRatio: 5,
  recentBuckets: 4,
  newAccountGraceDays: 14,
  maxLeadDays: 7,
  maxLagDays: 30,
  minScore: 0.45,
  listedQuietDays: 1,
  minScoreOneCounterparty: 0.5,
};

/**
 * stopped: silent for quietDays; dropped: a sharp drop of its rate; listed: on the served blacklist,
 * or listed by a run and dropped by a later one while it died (fraudsters know they are blocked, so
 * being listed is a fall without waiting for the quiet days).
 */
export type FallKind = 'stopped' | 'dropped' | 'listed';
export type RiseKind = 'new' | 'surge';

export interface MigrationEvidence {
  fallKind: FallKind;
  riseKind: RiseKind;
  gapDays: number;
  /** Non-hub counterparties of the fallen account that became counterparties of the risen one. */
  sharedCounterparties: number;
  formerCounterparties: number;
  /** Weighted share of the fallen account's counterparties that moved (rare ones weigh more). */
  counterpartyOverlap: number;
  /** Transfers from the fallen to the risen account around the fall. */
  directTransfers: number;
  /** Shown, not scored: a new account has no cluster yet, so the term cannot count (see scoreMigration). */
  sameCluster: boolean;
  /**
   * The scored cluster substitute: the weighted share of the risen account's non-hub counterparties
   * (the fallen account included when they dealt with each other) that were in the fallen account's
   * cluster at the run (0 when the fallen account had none).
   */
  clusterShare: number;
  /**
   * The scored successor share: the weighted share of the risen account's non-hub counterparties
   * (the fallen account left out) that are the fallen account's former counterparties it took over;
   * 0 with fewer than two taken over.
   */
  successorShare: number;
  /** 0..1 similarity of hours, channels and amounts. */
  profileSimilarity: number;
  sharedSample: string[];
}

export interface Migration {
  from: string;
  to: string;
  score: number;
  fallAt: number;
  riseAt: number;
  evidence: MigrationEvidence;
}

export interface MigrationResult {
  links: Migration[];
  /** Maximal chains A → B → C … (length ≥ 2 accounts). */
  chains: string[][];
  falls: number;
  rises: number;
  candidates: number;
}

interface Event {
  at: number;
  kind: string;
  /** A `listed` fall of an account a later run dropped from the list: its links are decided last. */
  dropped?: boolean;
}

function cosine(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, len: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < len; k++) {
    const x = a[aOff + k]!;
    const y = b[bOff + k]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Rare counterparties say more than popular ones: weight 1 / log2(2 + degree) (degree: in + out relations). */
export function counterpartyWeight(degree: number): number {
  return 1 / Math.log2(2 + degree);
}

/**
 * Taken over, not shared: the risen account's relation with a counterparty began at or after its
 * rise (riseFrom), and the fallen account's relation with it ended before, or at most two days
 * after, that start. Two accounts dealing with the same counterparty side by side are not a migration.
 */
export function takenOver(fallenLast: number, risenFirst: number, riseFrom: number): boolean {
  if (risenFirst < riseFrom) return false;
  return !(fallenLast > risenFirst + 2 * DAY_MS);
}

/** Transfers from the fallen to the risen account count when the relation began or ended within 14 days of the fall. */
export function directTransfers(edge: { first: number; last: number; count: number }, fallAt: number): number {
  return Math.abs(edge.last - fallAt) <= 14 * DAY_MS || Math.abs(edge.first - fallAt) <= 14 * DAY_MS ? edge.count : 0;
}

/** What an account does when it sends: transfers per UTC hour, per channel (same channel order on both sides), mean log amount. */
export interface SenderProfile {
  hours: ArrayLike<number>;
  channels: ArrayLike<number>;
  /** NaN when the account sent nothing. */
  logAmountMean: number;
}

/** 0..1: the mean of the hour cosine, the channel cosine and exp(-|Δ mean log amount|). */
export function profileSimilarity(a: SenderProfile, b: SenderProfile): number {
  const amount =
    Number.isNaN(a.logAmountMean) || Number.isNaN(b.logAmountMean) ? 0 : Math.exp(-Math.abs(a.logAmountMean - b.logAmountMean));
  const len = Math.min(a.channels.length, b.channels.length);
  return (cosine(a.hours, 0, b.hours, 0, 24) + cosine(a.channels, 0, b.channels, 0, len) + amount) / 3;
}

/** Everything the score reads, given explicitly: the batch detector and the successor watch both fill it. */
export interface PairInputs {
  from: string;
  to: string;
  fall: { at: number; kind: FallKind };
  rise: { at: number; kind: RiseKind };
  /** Non-hub counterparties of the fallen account in the window, and the sum of their weights. */
  formerCounterparties: number;
  formerWeight: number;
  /** Former counterparties taken over by the risen account, with their weights (counterpartyWeight). */
  shared: ReadonlyArray<{ id: string; weight: number }>;
  directTransfers: number;
  profileSimilarity: number;
  /**
   * The risen account's non-hub counterparties (the fallen account included when they dealt with
   * each other), with their weights (counterpartyWeight) and whether each was in the fallen account's
   * cluster at the run; none is when the fallen account was in no cluster (at ingest: not in the
   * served run). The risen account's own cluster is not needed: a new account seen at ingest has none.
   */
  successorCounterparties: ReadonlyArray<{ id: string; weight: number; inCluster: boolean }>;
  /**
   * The summed weights (counterpartyWeight) of all the risen account's non-hub counterparties but the
   * fallen account, whatever their cluster: the denominator of the successor share (successorShare).
   */
  successorWeight: number;
  /** Recorded in the evidence only. */
  sameCluster: boolean;
}

/** The cluster substitute: the weighted share of the successor's counterparties in the fallen account's cluster. */
export function clusterShare(counterparties: PairInputs['successorCounterparties']): number {
  let all = 0;
  let inside = 0;
  for (const c of counterparties) {
    all += c.weight;
    if (c.inCluster) inside += c.weight;
  }
  return all ? inside / all : 0;
}

/**
 * The cluster term multiplies what the other terms leave by 1 − WEIGHT · (share − PIVOT): a share
 * above a quarter lifts the score (× 0.85 on the remainder at share 1), a share below lowers it
 * (× 1.05 at share 0, as for a fallen account in no cluster). Tuned on world seeds 1–8 (docs/evaluation.md).
 */
export const CLUSTER_TERM_WEIGHT = 0.2;
export const CLUSTER_TERM_PIVOT = 0.25;

/**
 * The successor term multiplies what the other terms leave by 1 − WEIGHT · share, where share is how
 * much of the risen account's own relations (weighted) are the fallen account's former counterparties
 * it took over — counted from two taken over (one can be chance). The overlap term asks how much of
 * A's life S took; this one asks how much of S's life is A's, which speaks while S is young and has
 * taken only a part of A's counterparties. Tuned on world seeds 1–8 (dev/eval/migration-tune.ts,
 * TUNE_ROUND=6 and 7; docs/evaluation.md).
 */
export const SUCCESSOR_TERM_WEIGHT = 0.3;
export const SUCCESSOR_TERM_MIN_SHARED = 2;

/** The successor share: the weighted share of the risen account's counterparties (A left out) that are A's, taken over. */
export function successorShare(p: Pick<PairInputs, 'shared' | 'successorWeight'>): number {
  if (p.shared.length < SUCCESSOR_TERM_MIN_SHARED || !(p.successorWeight > 0)) return 0;
  let sharedWeight = 0;
  for (const s of p.shared) sharedWeight += s.weight;
  return Math.min(1, sharedWeight / p.successorWeight);
}

/** A rise before the fall (both accounts running side by side) loses this share per day of overlap. */
export const LEAD_DECAY_PER_DAY = 0.03;

/**
 * The timing factor of a link, from the days between the fall and the rise: 1 for a rise up to 7
 * days after the fall, then down by 1/60 a day (floor 0.6); a rise before the fall — the old account
 * still running when the new one starts — loses LEAD_DECAY_PER_DAY a day (floor 0.6): a predecessor
 * that carried on is less likely the one whose people moved, and it is what tells two fraud accounts
 * of one group apart when a successor takes over counterparties of both. Tuned on world seeds 1–8
 * (dev/eval/migration-tune.ts, TUNE_ROUND=4; docs/evaluation.md).
 */
export function timingTerm(gapDays: number): number {
  if (gapDays < 0) return Math.max(0.6, 1 - LEAD_DECAY_PER_DAY * -gapDays);
  return gapDays <= 7 ? 1 : Math.max(0.6, 1 - (gapDays - 7) / 60);
}

/**
 * The link score of a fall and a rise from their evidence. The Louvain "same cluster" term of the
 * earlier scorer is replaced by a substitute both paths can compute: a successor seen at ingest has
 * no cluster yet, but its counterparties had one at the run — the share of them (weighted) that were
 * in the fallen account's cluster (clusterShare). Like the old term, it only lifts links that already
 * have counterparty or money evidence.
 */
export function scoreMigration(p: PairInputs): Migration | undefined {
  if (p.shared.length === 0 && p.directTransfers === 0) return undefined;
  let sharedWeight = 0;
  for (const s of p.shared) sharedWeight += s.weight;
  const overlap = p.formerWeight ? Math.min(1, sharedWeight / p.formerWeight) : 0;
  // One shared counterparty can be chance; two or more rarely are.
  const overlapScore = p.shared.length >= 2 ? Math.min(1, overlap * 1.5) : overlap * 0.5;
  const profile = p.profileSimilarity;
  const gapDays = (p.rise.at - p.fall.at) / DAY_MS;
  const timing = timingTerm(gapDays);
  // Money moved from the old account to the new one is strong evidence of the same owner only
  // when the new one also behaves like the old one (a payment to a stranger is not a move).
  const directScore = p.directTransfers ? 0.55 * (0.4 + 0.6 * profile) : 0;
  const share = clusterShare(p.successorCounterparties);
  const cluster = 1 - CLUSTER_TERM_WEIGHT * (share - CLUSTER_TERM_PIVOT);
  const succ = successorShare(p);
  const score =
    timing *
    Math.max(
      0,
      Math.min(1, 1 - (1 - 0.75 * overlapScore) * (1 - directScore) * (1 - 0.25 * profile) * cluster * (1 - SUCCESSOR_TERM_WEIGHT * succ)),
    );
  return {
    from: p.from,
    to: p.to,
    score: round3(score),
    fallAt: p.fall.at,
    riseAt: p.rise.at,
    evidence: {
      fallKind: p.fall.kind,
      riseKind: p.rise.kind,
      gapDays: Math.round(gapDays * 10) / 10,
      sharedCounterparties: p.shared.length,
      formerCounterparties: p.formerCounterparties,
      counterpartyOverlap: round3(overlap),
      directTransfers: p.directTransfers,
      sameCluster: p.sameCluster,
      clusterShare: round3(share),
      successorShare: round3(succ),
      profileSimilarity: round3(profile),
      sharedSample: p.shared
        .map((s) => s.id)
        .sort()
        .slice(0, 10),
    },
  };
}

/** The score a run's link must reach: minScore, or more for a link resting on one counterparty taken over and nothing else. */
export function linkBar(m: Migration, o: Pick<MigrationOptions, 'minScore' | 'minScoreOneCounterparty'>): number {
  const e = m.evidence;
  return e.sharedCounterparties === 1 && e.directTransfers === 0 ? Math.max(o.minScore, o.minScoreOneCounterparty) : o.minScore;
}

/** When did the account fall (stop or drop), if it did. */
export function detectFall(i: number, flows: Flows, o: MigrationOptions): Event | undefined {
  const transfers = flows.inCount[i]! + flows.outCount[i]!;
  if (transfers < o.minFallTransfers) return undefined;
  const asOf = flows.window.to;
  const last = flows.lastAt[i]!;
  if (asOf - last >= o.quietDays * DAY_MS) return { at: last, kind: 'stopped' };
  // A sharp drop: the recent weekly rate far below the rate before it.
  const B = flows.buckets;
  if (B < o.recentBuckets * 2) return undefined;
  const base = i * B;
  let before = 0;
  let recent = 0;
  const firstBucket = Math.max(0, Math.floor((flows.firstAt[i]! - flows.window.from) / flows.window.bucketMs));
  for (let b = firstBucket; b < B; b++) {
    if (b >= B - o.recentBuckets) recent += flows.activity[base + b]!;
    else before += flows.activity[base + b]!;
  }
  const beforeBuckets = B - o.recentBuckets - firstBucket;
  if (beforeBuckets < o.recentBuckets) return undefined;
  const beforeRate = before / beforeBuckets;
  const recentRate = recent / o.recentBuckets;
  if (beforeRate >= 2 && recentRate <= o.dropRatio * beforeRate) {
    // The fall is the end of the last bucket that still ran at half the earlier rate.
    let b = B - o.recentBuckets - 1;
    for (let k = B - 1; k >= firstBucket; k--) {
      if (flows.activity[base + k]! >= 0.5 * beforeRate) {
        b = k;
        break;
      }
    }
    return { at: flows.window.from + (b + 1) * flows.window.bucketMs, kind: 'dropped' };
  }
  return undefined;
}

/**
 * A listed account with enough transfers falls when it was listed — or, when it carried on after
 * its listing (blocked at one gateway, still paying through others), at its last transfer once it
 * has been silent for listedQuietDays: while it still transacts it has not fallen, and no account
 * rising meanwhile is its successor (never after asOf). The successor watch applies the same rule
 * (listedFallAt).
 */
export function listedFall(
  i: number,
  flows: Flows,
  listedAt: ReadonlyMap<string, number>,
  o: MigrationOptions,
  dropped: ReadonlyMap<string, number> = new Map(),
): Event | undefined {
  const id = flows.ids[i]!;
  const at = listedAt.get(id);
  if (at === undefined) return undefined;
  if (flows.inCount[i]! + flows.outCount[i]! < o.minFallTransfers) return undefined;
  const droppedAt = dropped.get(id);
  const fall = listedFallAt(
    at,
    flows.lastAt[i]!,
    flows.window.to,
    o.listedQuietDays,
    droppedAt === undefined ? undefined : releasedAt(droppedAt, o),
  );
  if (fall === undefined) return undefined;
  const event: Event = { at: Math.min(fall, flows.window.to), kind: 'listed' };
  if (droppedAt !== undefined) event.dropped = true;
  return event;
}

/**
 * The fall of a listed account as of `asOf`: its listing, when it has not transacted since; its last
 * transfer, when it carried on after its listing and has since been silent for `quietDays`; else
 * none — it is still trading.
 */
export function listedFallAt(
  listedAt: number,
  lastTransfer: number | null,
  asOf: number,
  quietDays: number,
  /** For an account a later run dropped from the list: when the list let it go (releasedAt). */
  released?: number,
): number | undefined {
  if (lastTransfer === null || lastTransfer <= listedAt) return listedAt;
  // Trading after the list let it go, it is no longer blocked: alive, not fallen by its listing.
  if (released !== undefined && lastTransfer > released) return undefined;
  return asOf - lastTransfer >= quietDays * DAY_MS ? lastTransfer : undefined;
}

/**
 * When the list let a dropped account go, for its listed fall: a day (listedQuietDays, for transfers
 * already under way) after the data time of the run version that dropped it. An account that traded
 * after that is alive again and falls only as any account does (14 quiet days, a drop in its rate).
 */
export function releasedAt(droppedAt: number, o: Pick<MigrationOptions, 'listedQuietDays'>): number {
  return droppedAt + o.listedQuietDays * DAY_MS;
}

/** When did the account rise (appear, or surge), if it did. */
export function detectRise(i: number, flows: Flows, f: AccountFeatures, o: MigrationOptions): Event | undefined {
  const transfers = flows.inCount[i]! + flows.outCount[i]!;
  if (transfers < o.minRiseTransfers) return undefined;
  const windowStart = flows.window.from;
  const firstEver = flows.window.to - f.ageDays[i]! * DAY_MS;
  if (firstEver >= windowStart + o.newAccountGraceDays * DAY_MS) return { at: flows.firstAt[i]!, kind: 'new' };
  const B = flows.buckets;
  if (B < o.recentBuckets * 2) return undefined;
  const base = i * B;
  let before = 0;
  let recent = 0;
  for (let b = 0; b < B; b++) {
    if (b >= B - o.recentBuckets) recent += flows.activity[base + b]!;
    else before += flows.activity[base + b]!;
  }
  const beforeRate = before / (B - o.recentBuckets);
  const recentRate = recent / o.recentBuckets;
  if (recentRate >= 3 && recentRate >= o.surgeRatio * Math.max(beforeRate, 0.25)) {
    for (let b = B - o.recentBuckets; b < B; b++) {
      if (flows.activity[base + b]! >= 0.5 * recentRate) return { at: windowStart + b * flows.window.bucketMs, kind: 'surge' };
    }
  }
  return undefined;
}

/**
 * The scorer's inputs for a fall of account a and a rise of account b, read from the pairs in the
 * account graph's order (batch runs; dev/eval/migration-diag.ts reads them too). `former`: a's
 * non-hub counterparties; `formerWeight`: the sum of their weights.
 */
export function batchPairInputs(
  po: PairOrder,
  flows: Flows,
  f: AccountFeatures,
  isHub: Uint8Array,
  community: Int32Array,
  a: number,
  b: number,
  fall: { at: number; kind: string },
  rise: { at: number; kind: string },
  former: ReadonlySet<string>,
  formerWeight: number,
): PairInputs {
  const aId = flows.ids[a]!;
  const bId = flows.ids[b]!;
  const riseFrom = rise.at - DAY_MS;
  const shared: Array<{ id: string; weight: number }> = [];
  const first = (x: number, y: number, none: number) => {
    const p = pairIndex(flows, po, x, y);
    return p < 0 ? none : flows.pairFirst[p]!;
  };
  const last = (x: number, y: number, none: number) => {
    const p = pairIndex(flows, po, x, y);
    return p < 0 ? none : flows.pairLast[p]!;
  };
  // b's counterparties in graphology's forEachNeighbor order (forEachNeighborIndex).
  const neighbours: number[] = [];
  forEachNeighborIndex(flows, po, b, (c) => neighbours.push(c));
  for (const c of neighbours) {
    const cId = flows.ids[c]!;
    if (isHub[c] || c === a || !former.has(cId)) continue;
    const out = first(b, c, Infinity);
    const inn = first(c, b, Infinity);
    const aLast = Math.max(last(a, c, -Infinity), last(c, a, -Infinity));
    if (takenOver(aLast, Math.min(out, inn), riseFrom)) shared.push({ id: cId, weight: counterpartyWeight(edgesAt(po, c)) });
  }
  // The successor's counterparties and whether each was in a's cluster (a itself: whether it has one).
  const ca = community[a]!;
  const successorCounterparties: Array<{ id: string; weight: number; inCluster: boolean }> = [];
  let successorWeight = 0;
  for (const c of neighbours) {
    if (isHub[c]) continue;
    const weight = counterpartyWeight(edgesAt(po, c));
    successorCounterparties.push({ id: flows.ids[c]!, weight, inCluster: ca >= 0 && community[c] === ca });
    if (c !== a) successorWeight += weight;
  }
  let direct = 0;
  const ab = pairIndex(flows, po, a, b);
  if (ab >= 0)
    direct = directTransfers({ first: flows.pairFirst[ab]!, last: flows.pairLast[ab]!, count: flows.pairTransfers[ab]! }, fall.at);
  const profile = profileSimilarity(
    {
      hours: flows.hours.subarray(a * 24, a * 24 + 24),
      channels: flows.channelCounts.subarray(a * MAX_CHANNELS, (a + 1) * MAX_CHANNELS),
      logAmountMean: f.logAmountMean[a]!,
    },
    {
      hours: flows.hours.subarray(b * 24, b * 24 + 24),
      channels: flows.channelCounts.subarray(b * MAX_CHANNELS, (b + 1) * MAX_CHANNELS),
      logAmountMean: f.logAmountMean[b]!,
    },
  );
  return {
    from: aId,
    to: bId,
    fall: { at: fall.at, kind: fall.kind as FallKind },
    rise: { at: rise.at, kind: rise.kind as RiseKind },
    formerCounterparties: former.size,
    formerWeight,
    shared,
    directTransfers: direct,
    profileSimilarity: profile,
    successorCounterparties,
    successorWeight,
    sameCluster: community[a]! >= 0 && community[a] === community[b],
  };
}

/** A fall and a rise the detector scores: the fallen account's non-hub former counterparties come with it. */
export interface CandidatePair {
  a: number;
  b: number;
  fall: Event;
  rise: Event;
  former: ReadonlySet<string>;
  formerWeight: number;
}

/**
 * Every candidate pair of a run: a fallen account a (stopped, dropped or listed) and a risen account
 * b that now deals with a's non-hub former counterparties or got money from a, with b's rise from
 * maxLeadDays before to maxLagDays after a's fall. Hubs neither fall nor rise. Visits each pair once.
 */
export function forEachCandidatePair(
  flows: Flows,
  f: AccountFeatures,
  isHub: Uint8Array,
  o: MigrationOptions,
  listedAt: ReadonlyMap<string, number>,
  visit: (pair: CandidatePair) => void,
  po: PairOrder = pairOrder(flows),
  /**
   * Accounts in listedAt that a later run dropped from the list → the data time of the run version
   * that dropped them: their listed falls are marked `dropped`.
   */
  dropped: ReadonlyMap<string, number> = new Map(),
): { falls: number; rises: number } {
  const n = flows.ids.length;
  const falls = new Map<number, Event>();
  const rises = new Map<number, Event>();
  // Whether and when each account rose, in typed arrays, and a stamp per account (the fallen
  // account's index + 1) instead of a set of the accounts seen for each fallen account.
  const risen = new Uint8Array(n);
  const riseAt = new Float64Array(n);
  const seenFor = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (isHub[i]) continue;
    const fall = detectFall(i, flows, o) ?? listedFall(i, flows, listedAt, o, dropped);
    if (fall) falls.set(i, fall);
    const rise = detectRise(i, flows, f, o);
    if (rise) {
      rises.set(i, rise);
      risen[i] = 1;
      riseAt[i] = rise.at;
    }
  }
  // Per account, its risen neighbours by the day they rose: a fallen account's counterparties include
  // busy ones (shops, employers below the hub bar) that many fallen accounts share, and walking all
  // their neighbours for each fallen account grew faster than the data (10M transfers: most of this
  // step); only those rising on the days of the timing window are read, and `consider` tests the
  // exact times. Risen accounts are taken in order of their rise day (a counting sort), so each list
  // comes out in that order. The order of the visits changes nothing: detectMigrations ranks the
  // candidates by score, then ids.
  let firstRise = Infinity;
  for (let i = 0; i < n; i++) if (risen[i] && riseAt[i]! < firstRise) firstRise = riseAt[i]!;
  const riseDay = new Int32Array(n);
  let days = 0;
  for (let i = 0; i < n; i++)
    if (risen[i]) {
      riseDay[i] = Math.floor((riseAt[i]! - firstRise) / DAY_MS);
      if (riseDay[i]! + 1 > days) days = riseDay[i]! + 1;
    }
  const dayStart = new Int32Array(days + 1);
  for (let i = 0; i < n; i++) if (risen[i]) dayStart[riseDay[i]! + 1]!++;
  for (let d = 0; d < days; d++) dayStart[d + 1]! += dayStart[d]!;
  const byDay = new Int32Array(dayStart[days]!);
  const dayFill = dayStart.slice(0, days);
  for (let i = 0; i < n; i++) if (risen[i]) byDay[dayFill[riseDay[i]!]!++] = i;
  // b's neighbours as forEachNeighborIndex lists them, written out: a callback per relation was most
  // of this part's time at 10M transfers.
  const { rank, inStart, inPairs, outStart, pairs, reverse } = po;
  const { pairFrom, pairTo } = flows;
  const risenStart = new Int32Array(n + 1);
  for (const b of byDay) {
    const r = rank[b]!;
    for (let k = inStart[r]!, end = inStart[r + 1]!; k < end; k++) risenStart[pairFrom[inPairs[k]!]! + 1]!++;
    for (let k = outStart[r]!, end = outStart[r + 1]!; k < end; k++) if (reverse[pairs[k]!]! < 0) risenStart[pairTo[pairs[k]!]! + 1]!++;
  }
  for (let c = 0; c < n; c++) risenStart[c + 1]! += risenStart[c]!;
  const risenNeighbours = new Int32Array(risenStart[n]!);
  const fill = risenStart.slice(0, n);
  for (const b of byDay) {
    const r = rank[b]!;
    for (let k = inStart[r]!, end = inStart[r + 1]!; k < end; k++) risenNeighbours[fill[pairFrom[inPairs[k]!]!]!++] = b;
    for (let k = outStart[r]!, end = outStart[r + 1]!; k < end; k++)
      if (reverse[pairs[k]!]! < 0) risenNeighbours[fill[pairTo[pairs[k]!]!]!++] = b;
  }
  const minGap = -o.maxLeadDays * DAY_MS;
  const maxGap = o.maxLagDays * DAY_MS;
  for (const [a, fall] of falls) {
    // Its non-hub counterparties in the account graph's neighbour order (forEachNeighborIndex).
    const formerIndex: number[] = [];
    forEachNeighborIndex(flows, po, a, (c) => {
      if (!isHub[c]) formerIndex.push(c);
    });
    if (formerIndex.length === 0) continue;
    // Built when the fallen account has a first candidate: most have none.
    let former: Set<string> | undefined;
    let formerWeight = 0;
    // Risen accounts that now deal with the fallen one's counterparties, or got money from it.
    const stamp = a + 1;
    const consider = (b: number) => {
      if (!risen[b] || b === a || seenFor[b] === stamp) return;
      seenFor[b] = stamp;
      const gap = riseAt[b]! - fall.at;
      if (gap < minGap || gap > maxGap) return;
      const rise = rises.get(b)!;
      if (!former) {
        former = new Set(formerIndex.map((c) => flows.ids[c]!));
        for (const c of formerIndex) formerWeight += counterpartyWeight(edgesAt(po, c));
      }
      visit({ a, b, fall, rise, former, formerWeight });
    };
    const fromDay = Math.floor((fall.at + minGap - firstRise) / DAY_MS);
    const toDay = Math.floor((fall.at + maxGap - firstRise) / DAY_MS);
    for (const c of formerIndex) {
      // The first of c's risen neighbours that rose on fromDay or later (binary search), then to toDay.
      let lo = risenStart[c]!;
      let hi = risenStart[c + 1]!;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (riseDay[risenNeighbours[mid]!]! < fromDay) lo = mid + 1;
        else hi = mid;
      }
      for (let k = lo, end = risenStart[c + 1]!; k < end && riseDay[risenNeighbours[k]!]! <= toDay; k++) consider(risenNeighbours[k]!);
    }
    const r = po.rank[a]!;
    for (let k = po.outStart[r]!, end = po.outStart[r + 1]!; k < end; k++) consider(flows.pairTo[po.pairs[k]!]!);
  }
  return { falls: falls.size, rises: rises.size };
}

export function detectMigrations(
  flows: Flows,
  f: AccountFeatures,
  isHub: Uint8Array,
  community: Int32Array,
  options: Partial<MigrationOptions> = {},
  /** Accounts on the served blacklist, and those a later run dropped, → when they were first listed (a fall; see FallKind). */
  listedAt: ReadonlyMap<string, number> = new Map(),
  po: PairOrder = pairOrder(flows),
  /**
   * Pairs an investigator rejected, as "from>to": never linked, so the fallen account's next-best
   * successor (or the risen one's next-best predecessor) may take the place.
   */
  rejected: ReadonlySet<string> = new Set(),
  /**
   * Accounts in listedAt that a later run dropped from the list → the data time of the run version
   * that dropped them. Their listing is a fall only while they have not traded since the list let
   * them go (releasedAt); where it is their only fall, their links are decided after every other
   * link: they never take a successor another predecessor would link (which may have got it listed)
   * — the successor watch's rule for them.
   */
  dropped: ReadonlyMap<string, number> = new Map(),
): MigrationResult {
  const o = { ...MIGRATION_DEFAULTS, ...options };
  const candidates: Migration[] = [];
  const last = new Set<Migration>();
  let considered = 0;
  const counts = forEachCandidatePair(
    flows,
    f,
    isHub,
    o,
    listedAt,
    ({ a, b, fall, rise, former, formerWeight }) => {
      if (rejected.size && rejected.has(`${flows.ids[a]!}>${flows.ids[b]!}`)) return;
      considered++;
      const cand = scoreMigration(batchPairInputs(po, flows, f, isHub, community, a, b, fall, rise, former, formerWeight));
      if (cand && cand.score >= linkBar(cand, o)) {
        candidates.push(cand);
        if (fall.dropped) last.add(cand);
      }
    },
    po,
    dropped,
  );

  // One successor per fallen account and one predecessor per risen account: best scores first
  // (a dropped account's listing-only links after all others).
  const rank = (m: Migration) => (last.has(m) ? 1 : 0);
  candidates.sort((x, y) => rank(x) - rank(y) || y.score - x.score || (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : 1));
  const usedFrom = new Set<string>();
  const usedTo = new Set<string>();
  const links: Migration[] = [];
  for (const c of candidates) {
    if (usedFrom.has(c.from) || usedTo.has(c.to)) continue;
    usedFrom.add(c.from);
    usedTo.add(c.to);
    links.push(c);
  }
  links.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : 0));

  // Chains: start where nothing migrated in, follow successors.
  const next = new Map(links.map((l) => [l.from, l.to]));
  const hasPredecessor = new Set(links.map((l) => l.to));
  const chains: string[][] = [];
  for (const l of links) {
    if (hasPredecessor.has(l.from)) continue;
    const chain = [l.from];
    let cur: string | undefined = l.from;
    while ((cur = next.get(cur)) !== undefined && !chain.includes(cur)) chain.push(cur);
    chains.push(chain);
  }
  return { links, chains, falls: counts.falls, rises: counts.rises, candidates: considered };
}
