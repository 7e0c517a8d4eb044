// acctnet/analysis/migration: accounts that fall (stop or drop sharply) and accounts that rise (new,
// or a sudden surge), paired when the risen account takes over the fallen one's counterparties.
// A blocked fraud account goes quiet and the same people move to a fresh account; people who change
// banks do the same. Both are migrations; whether one is risky is decided by risk, not here.
import type { AccountFeatures } from './features.js';
import { DAY_MS } from './features.js';
import type { Flows } from './flows.js';
import type { AccountGraph } from './graph.js';
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
  minScore: 0.5,
};

export interface MigrationEvidence {
  fallKind: 'stopped' | 'dropped';
  riseKind: 'new' | 'surge';
  gapDays: number;
  /** Non-hub counterparties of the fallen account that became counterparties of the risen one. */
  sharedCounterparties: number;
  formerCounterparties: number;
  /** Weighted share of the fallen account's counterparties that moved (rare ones weigh more). */
  counterpartyOverlap: number;
  /** Transfers from the fallen to the risen account around the fall. */
  directTransfers: number;
  sameCluster: boolean;
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

export function detectMigrations(
  graph: AccountGraph,
  flows: Flows,
  f: AccountFeatures,
  isHub: Uint8Array,
  community: Int32Array,
  options: Partial<MigrationOptions> = {},
): MigrationResult {
  const o = { ...MIGRATION_DEFAULTS, ...options };
  const n = flows.ids.length;
  const falls = new Map<number, Event>();
  const rises = new Map<number, Event>();
  for (let i = 0; i < n; i++) {
    if (isHub[i]) continue;
    const fall = detectFall(i, flows, o);
    if (fall) falls.set(i, fall);
    const rise = detectRise(i, flows, f, o);
    if (rise) rises.set(i, rise);
  }
  const idx = (node: string) => graph.getNodeAttribute(node, 'i');
  // Rare counterparties say more than popular ones: weight 1 / log2(2 + degree).
  const weightOf = (node: string) => 1 / Math.log2(2 + graph.degree(node));

  const candidates: Migration[] = [];
  let considered = 0;
  for (const [a, fall] of falls) {
    const aId = flows.ids[a]!;
    const former = new Set<string>();
    graph.forEachNeighbor(aId, (nb, attrs) => {
      if (!isHub[attrs.i]) former.add(nb);
    });
    if (former.size === 0) continue;
    let formerWeight = 0;
    for (const c of former) formerWeight += weightOf(c);
    // Risen accounts that now deal with the fallen one's counterparties, or got money from it.
    const seen = new Set<number>();
    const consider = (bId: string) => {
      const b = idx(bId);
      if (b === a || seen.has(b)) return;
      seen.add(b);
      const rise = rises.get(b);
      if (!rise) return;
      const gap = rise.at - fall.at;
      if (gap < -o.maxLeadDays * DAY_MS || gap > o.maxLagDays * DAY_MS) return;
      considered++;
      const cand = scorePair(a, b, fall, rise, former, formerWeight);
      if (cand && cand.score >= o.minScore) candidates.push(cand);
    };
    for (const c of former) graph.forEachNeighbor(c, (bId) => consider(bId));
    graph.forEachOutNeighbor(aId, (bId) => consider(bId));
  }

  function scorePair(a: number, b: number, fall: Event, rise: Event, former: Set<string>, formerWeight: number): Migration | undefined {
    const aId = flows.ids[a]!;
    const bId = flows.ids[b]!;
    const riseFrom = rise.at - DAY_MS;
    const shared: string[] = [];
    let sharedWeight = 0;
    let newCount = 0;
    graph.forEachNeighbor(bId, (c, attrs) => {
      if (isHub[attrs.i] || c === aId) return;
      // Only relations the risen account started at or after its rise are "taken over".
      const out = graph.hasDirectedEdge(bId, c) ? graph.getDirectedEdgeAttribute(bId, c, 'first') : Infinity;
      const inn = graph.hasDirectedEdge(c, bId) ? graph.getDirectedEdgeAttribute(c, bId, 'first') : Infinity;
      if (Math.min(out, inn) < riseFrom) return;
      newCount++;
      if (!former.has(c)) return;
      // Taken over, not shared: the fallen account's relation with c ended before (or as) the
      // risen account's began. Two accounts dealing with c side by side are not a migration.
      const aLast = Math.max(
        graph.hasDirectedEdge(aId, c) ? graph.getDirectedEdgeAttribute(aId, c, 'last') : -Infinity,
        graph.hasDirectedEdge(c, aId) ? graph.getDirectedEdgeAttribute(c, aId, 'last') : -Infinity,
      );
      if (aLast > Math.min(out, inn) + 2 * DAY_MS) return;
      shared.push(c);
      sharedWeight += weightOf(c);
    });
    let direct = 0;
    if (graph.hasDirectedEdge(aId, bId)) {
      const e = graph.getDirectedEdgeAttributes(aId, bId);
      if (Math.abs(e.last - fall.at) <= 14 * DAY_MS || Math.abs(e.first - fall.at) <= 14 * DAY_MS) direct = e.count;
    }
    if (shared.length === 0 && direct === 0) return undefined;
    const overlap = formerWeight ? sharedWeight / formerWeight : 0;
    // One shared counterparty can be chance; two or more rarely are.
    const overlapScore = shared.length >= 2 ? Math.min(1, overlap * 1.5) : overlap * 0.5;
    const profile =
      (cosine(flows.hours, a * 24, flows.hours, b * 24, 24) +
        cosine(flows.channelCounts, a * 8, flows.channelCounts, b * 8, 8) +
        amountSimilarity(a, b)) /
      3;
    const sameCluster = community[a]! >= 0 && community[a] === community[b];
    const gapDays = (rise.at - fall.at) / DAY_MS;
    const timing = gapDays <= 0 ? 1 : gapDays <= 7 ? 1 : Math.max(0.6, 1 - (gapDays - 7) / 60);
    // Money moved from the old account to the new one is strong evidence of the same owner only
    // when the new one also behaves like the old one (a payment to a stranger is not a move).
    const directScore = direct ? 0.55 * (0.4 + 0.6 * profile) : 0;
    const score = timing * (1 - (1 - 0.75 * overlapScore) * (1 - directScore) * (1 - 0.25 * profile) * (1 - (sameCluster ? 0.2 : 0)));
    return {
      from: aId,
      to: bId,
      score: round3(score),
      fallAt: fall.at,
      riseAt: rise.at,
      evidence: {
        fallKind: fall.kind as 'stopped' | 'dropped',
        riseKind: rise.kind as 'new' | 'surge',
        gapDays: Math.round(gapDays * 10) / 10,
        sharedCounterparties: shared.length,
        formerCounterparties: former.size,
        counterpartyOverlap: round3(overlap),
        directTransfers: direct,
        sameCluster,
        profileSimilarity: round3(profile),
        sharedSample: shared.sort().slice(0, 10),
      },
    };
    void newCount;
  }

  function amountSimilarity(a: number, b: number): number {
    const ma = f.logAmountMean[a]!;
    const mb = f.logAmountMean[b]!;
    if (Number.isNaN(ma) || Number.isNaN(mb)) return 0;
    return Math.exp(-Math.abs(ma - mb));
  }

  // One successor per fallen account and one predecessor per risen account: best scores first.
  candidates.sort((x, y) => y.score - x.score || (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : 1));
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
  return { links, chains, falls: falls.size, rises: rises.size, candidates: considered };
}
