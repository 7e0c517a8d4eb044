// acctnet/analysis/feature-table: one row of numbers per account, every run — what the learned model
// and the anomaly score read. Label-free: nothing here depends on investigators' labels (those
// features are computed fold-wise in label-features.ts). docs/analysis.md lists every column.
//
// Counts and amounts enter as log1p: accounts differ by orders of magnitude and trees, logistic
// regression and isolation forests all do better on a compressed scale. A value that cannot be
// computed for an account (no outflow, too little history) is NaN: the models handle it as missing.
import type { Centrality } from './centrality.js';
import type { AccountFeatures } from './features.js';
import { DAY_MS } from './features.js';
import type { Flows } from './flows.js';
import { matrix, type Matrix } from './learn/matrix.js';
import type { Migration } from './migration.js';
import { sameAmountByAccount } from './same-amount.js';
import type { Typology } from './typology.js';

export interface FeatureColumn {
  name: string;
  /** What the number is, in an investigator's words (used in explanations). */
  text: string;
  /** How the value is shown in an explanation: the raw quantity behind the log. */
  unit: 'count' | 'amount' | 'share' | 'days' | 'ratio' | 'score' | 'rate' | 'hours';
  log: boolean;
}

const col = (name: string, text: string, unit: FeatureColumn['unit'], log = false): FeatureColumn => ({ name, text, unit, log });

export const FEATURE_COLUMNS: readonly FeatureColumn[] = [
  // Flows
  col('in_count', 'transfers received', 'count', true),
  col('out_count', 'transfers sent', 'count', true),
  col('in_amount', 'money received', 'amount', true),
  col('out_amount', 'money sent', 'amount', true),
  col('in_degree', 'distinct payers', 'count', true),
  col('out_degree', 'distinct payees', 'count', true),
  col('counterparties', 'distinct counterparties', 'count', true),
  col('in_share_count', 'share of its transfers that are incoming', 'share'),
  col('in_share_amount', 'share of its money that is incoming', 'share'),
  col('fan_ratio', 'payers per payee (log ratio)', 'ratio'),
  col('reciprocity', 'share of counterparties paid both ways', 'share'),
  col('hub_out_share', 'share of outflow paid to merchants and billers', 'share'),
  col('hub_in_share', 'share of inflow from payroll and other hubs', 'share'),
  col('ordinary_share', 'share of its money in ordinary life (popular payers and payees)', 'share'),
  // Money
  col('mean_in_amount', 'average amount received', 'amount', true),
  col('mean_out_amount', 'average amount sent', 'amount', true),
  col('out_amount_spread', 'spread of amounts sent (sd of log amount)', 'ratio'),
  col('round_share', 'share of payments in round amounts', 'share'),
  col('pass_through', 'share of outflow covered by money received within the holding window', 'share'),
  col('forward_share', 'share of the money it moved that passed straight through', 'share'),
  // Time and history
  col('age_days', 'days since first seen', 'days', true),
  col('active_days', 'days between first and last transfer in the window', 'days', true),
  col('velocity', 'transfers per active day', 'rate', true),
  col('burstiness', 'burstiness of weekly activity (-1 regular … 1 bursty)', 'ratio'),
  col('max_run', 'longest run of transfers less than an hour apart', 'count', true),
  col('runs', 'runs of 3+ transfers less than an hour apart', 'count', true),
  col('night_share', 'share of transfers at night (00-06 UTC)', 'share'),
  col('hour_spread', 'spread of its hours of day (0 one hour … 1 any hour)', 'share'),
  col('hour_shift', 'shift of its usual hour in the last 30 days against before', 'hours'),
  col('velocity_change', 'activity in the last 4 weeks against its earlier rate (log ratio)', 'ratio'),
  col('new_counterparty_share', 'share of its recent counterparties that are new', 'share'),
  // Graph
  col('pagerank', 'PageRank (× accounts, log)', 'score', true),
  col('clustering', 'local clustering (its counterparties deal with each other)', 'share'),
  col('core_in_degree', 'distinct non-hub payers', 'count', true),
  col('core_out_degree', 'distinct non-hub payees', 'count', true),
  col('cluster_size', 'members of its cluster', 'count', true),
  col('cluster_density', 'density of its cluster', 'share'),
  col('cluster_flow_shape', 'its cluster is a ring, chain or fan', 'score'),
  col('participation', 'share of its money moving inside its cluster', 'share'),
  col('relay_chain', 'transfers on the longest chain of money passed on within hours through it', 'count', true),
  col(
    'same_amount_peers',
    'surprise of the strongest group of distinct payers it joined in paying one account the same amount (−log10 chance)',
    'score',
    true,
  ),
  col(
    'same_amount_collected',
    'surprise of the strongest group of distinct payers paying it the same amount (−log10 chance)',
    'score',
    true,
  ),
  col('hub', 'is a hub (merchant, payroll)', 'score'),
  // Migration
  col('predecessor_link', 'score of its link to an account it took over from', 'score'),
  col('successor_link', 'score of its link to an account that took over from it', 'score'),
];

export const FEATURE_INDEX: ReadonlyMap<string, number> = new Map(FEATURE_COLUMNS.map((c, k) => [c.name, k]));

export interface FeatureTableInput {
  flows: Flows;
  c: Centrality;
  f: AccountFeatures;
  isHub: Uint8Array;
  community: Int32Array;
  clusters: ReadonlyMap<number, readonly string[]>;
  typologies: ReadonlyMap<number, Typology>;
  migrations: readonly Migration[];
  /** Per account, the longest relay chain through it (relayChains in risk.ts; 0 for an account that relays nothing). */
  relayChain: Uint16Array;
  /** Recent part of the window compared with earlier behaviour (buckets). */
  recentBuckets?: number;
  /** Degree above which the clustering coefficient is not computed (NaN): O(d²) per account. */
  clusteringMaxDegree?: number;
}

const FLOW_SHAPES = new Set(['ring', 'layering', 'fan_in', 'fan_out']);

/** Each hour of the day (its middle) on the clock circle. */
const HOUR_COS = Float64Array.from({ length: 24 }, (_, h) => Math.cos((2 * Math.PI * (h + 0.5)) / 24));
const HOUR_SIN = Float64Array.from({ length: 24 }, (_, h) => Math.sin((2 * Math.PI * (h + 0.5)) / 24));

/** Out-adjacency (pair indices sorted by target) for membership tests and triangle counts. */
export interface Adjacency {
  starts: Uint32Array;
  targets: Uint32Array;
}

export function outAdjacency(flows: Flows): Adjacency {
  const n = flows.ids.length;
  const starts = new Uint32Array(n + 1);
  for (let p = 0; p < flows.pairCount; p++) starts[flows.pairFrom[p]! + 1]!++;
  for (let i = 0; i < n; i++) starts[i + 1]! += starts[i]!;
  const fill = starts.slice(0, n);
  const targets = new Uint32Array(flows.pairCount);
  for (let p = 0; p < flows.pairCount; p++) targets[fill[flows.pairFrom[p]!]!++] = flows.pairTo[p]!;
  for (let i = 0; i < n; i++) if (starts[i + 1]! - starts[i]! > 1) targets.subarray(starts[i]!, starts[i + 1]!).sort();
  return { starts, targets };
}

function hasTarget(adj: Adjacency, a: number, b: number): boolean {
  let lo = adj.starts[a]!;
  let hi = adj.starts[a + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const t = adj.targets[mid]!;
    if (t === b) return true;
    if (t < b) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

export function computeFeatureTable(inp: FeatureTableInput): Matrix {
  const { flows, c, f, isHub, community } = inp;
  const n = flows.ids.length;
  const d = FEATURE_COLUMNS.length;
  const x = matrix(n, d);
  const X = x.data;
  const set = (i: number, name: string, value: number) => {
    X[i * d + FEATURE_INDEX.get(name)!] = value;
  };
  const B = flows.buckets;
  const recentBuckets = inp.recentBuckets ?? 4;
  const recentFrom = flows.window.to - 30 * DAY_MS;

  const same = sameAmountByAccount(flows.sameAmount, n);

  // Reciprocity and new counterparties, from the pairs.
  const adj = outAdjacency(flows);
  const reciprocal = new Uint32Array(n);
  const recentPairs = new Uint32Array(n);
  const newPairs = new Uint32Array(n);
  for (let p = 0; p < flows.pairCount; p++) {
    const a = flows.pairFrom[p]!;
    const b = flows.pairTo[p]!;
    if (hasTarget(adj, b, a)) reciprocal[a]!++;
    if (flows.pairLast[p]! > recentFrom) {
      recentPairs[a]!++;
      recentPairs[b]!++;
      if (flows.pairFirst[p]! > recentFrom) {
        newPairs[a]!++;
        newPairs[b]!++;
      }
    }
  }
  // Undirected neighbour lists (non-hub) for the clustering coefficient.
  const maxDeg = inp.clusteringMaxDegree ?? 60;
  const clustering = localClustering(flows, adj, isHub, maxDeg);

  // Cluster-level: density and shape.
  const clusterDensity = new Float64Array(n).fill(Number.NaN);
  const clusterShape = new Float64Array(n);
  const clusterSize = new Float64Array(n);
  for (const [cid, members] of inp.clusters) {
    const t = inp.typologies.get(cid);
    for (const m of members) {
      const i = flows.index.get(m)!;
      clusterSize[i] = members.length;
      if (t) clusterDensity[i] = t.evidence.density;
      clusterShape[i] = t && FLOW_SHAPES.has(t.type) ? 1 : 0;
    }
  }
  const participation = new Float64Array(n);
  for (let p = 0; p < flows.pairCount; p++) {
    const a = flows.pairFrom[p]!;
    const b = flows.pairTo[p]!;
    if (community[a]! >= 0 && community[a] === community[b]) {
      participation[a]! += flows.pairAmount[p]!;
      participation[b]! += flows.pairAmount[p]!;
    }
  }
  const predecessor = new Float64Array(n);
  const successor = new Float64Array(n);
  for (const m of inp.migrations) {
    const a = flows.index.get(m.from);
    const b = flows.index.get(m.to);
    if (a !== undefined) successor[a] = Math.max(successor[a]!, m.score);
    if (b !== undefined) predecessor[b] = Math.max(predecessor[b]!, m.score);
  }

  for (let i = 0; i < n; i++) {
    const inCount = flows.inCount[i]!;
    const outCount = flows.outCount[i]!;
    const inAmount = flows.inAmount[i]!;
    const outAmount = flows.outAmount[i]!;
    const count = inCount + outCount;
    const degree = c.degree[i]!;
    set(i, 'in_count', Math.log1p(inCount));
    set(i, 'out_count', Math.log1p(outCount));
    set(i, 'in_amount', Math.log1p(inAmount));
    set(i, 'out_amount', Math.log1p(outAmount));
    set(i, 'in_degree', Math.log1p(c.inDegree[i]!));
    set(i, 'out_degree', Math.log1p(c.outDegree[i]!));
    set(i, 'counterparties', Math.log1p(degree));
    set(i, 'in_share_count', count ? inCount / count : Number.NaN);
    set(i, 'in_share_amount', inAmount + outAmount > 0 ? inAmount / (inAmount + outAmount) : Number.NaN);
    set(i, 'fan_ratio', Math.log((c.inDegree[i]! + 1) / (c.outDegree[i]! + 1)));
    set(i, 'reciprocity', c.outDegree[i]! ? reciprocal[i]! / degree : 0);
    set(i, 'hub_out_share', outAmount > 0 ? f.hubOutShare[i]! : Number.NaN);
    set(i, 'hub_in_share', inAmount > 0 ? f.hubInShare[i]! : Number.NaN);
    set(i, 'ordinary_share', f.ordinary[i]!);
    set(i, 'mean_in_amount', inCount ? Math.log1p(inAmount / inCount) : Number.NaN);
    set(i, 'mean_out_amount', outCount ? Math.log1p(outAmount / outCount) : Number.NaN);
    if (outCount >= 2) {
      const mean = flows.logAmountSum[i]! / outCount;
      set(i, 'out_amount_spread', Math.sqrt(Math.max(0, flows.logAmountSq[i]! / outCount - mean * mean)));
    } else set(i, 'out_amount_spread', Number.NaN);
    set(i, 'round_share', outCount ? flows.roundCount[i]! / outCount : Number.NaN);
    set(i, 'pass_through', outAmount > 0 ? f.passThrough[i]! : Number.NaN);
    set(i, 'forward_share', f.forwardShare[i]!);
    set(i, 'age_days', Math.log1p(Math.max(0, f.ageDays[i]!)));
    set(i, 'active_days', Math.log1p(f.activeDays[i]!));
    set(i, 'velocity', Math.log1p(f.velocity[i]!));
    // Burstiness (Goh & Barabási) of weekly activity over the buckets the account was alive in.
    const base = i * B;
    const firstBucket = Math.max(0, Math.floor((flows.firstAt[i]! - flows.window.from) / flows.window.bucketMs));
    let sum = 0;
    let sq = 0;
    let k = 0;
    for (let b = firstBucket; b < B; b++) {
      const a = flows.activity[base + b]!;
      sum += a;
      sq += a * a;
      k++;
    }
    const mean = k ? sum / k : 0;
    const sd = k ? Math.sqrt(Math.max(0, sq / k - mean * mean)) : 0;
    set(i, 'burstiness', k >= 3 && mean + sd > 0 ? (sd - mean) / (sd + mean) : Number.NaN);
    set(i, 'max_run', Math.log1p(flows.maxRun[i]!));
    set(i, 'runs', Math.log1p(flows.runs[i]!));
    set(i, 'night_share', f.nightShare[i]!);
    // Hours of outgoing transfers on the clock circle: spread overall, shift recent vs before.
    let cos = 0;
    let sin = 0;
    let hoursTotal = 0;
    for (let h = 0; h < 24; h++) {
      const w = flows.hours[i * 24 + h]!;
      if (!w) continue;
      cos += w * HOUR_COS[h]!;
      sin += w * HOUR_SIN[h]!;
      hoursTotal += w;
    }
    set(i, 'hour_spread', hoursTotal >= 3 ? 1 - Math.hypot(cos, sin) / hoursTotal : Number.NaN);
    const recent = flows.recentOutCount[i]!;
    const earlier = hoursTotal - recent;
    if (recent >= 3 && earlier >= 3) {
      const recentAngle = Math.atan2(flows.recentHourSin[i]!, flows.recentHourCos[i]!);
      const earlierAngle = Math.atan2(sin - flows.recentHourSin[i]!, cos - flows.recentHourCos[i]!);
      let diff = Math.abs(recentAngle - earlierAngle);
      if (diff > Math.PI) diff = 2 * Math.PI - diff;
      set(i, 'hour_shift', (diff * 24) / (2 * Math.PI));
    } else set(i, 'hour_shift', Number.NaN);
    // Recent weeks against the account's own earlier rate.
    let recentActivity = 0;
    let earlierActivity = 0;
    for (let b = firstBucket; b < B; b++) {
      if (b >= B - recentBuckets) recentActivity += flows.activity[base + b]!;
      else earlierActivity += flows.activity[base + b]!;
    }
    const earlierBuckets = B - recentBuckets - firstBucket;
    set(
      i,
      'velocity_change',
      earlierBuckets >= recentBuckets
        ? Math.log((recentActivity / recentBuckets + 0.1) / (earlierActivity / earlierBuckets + 0.1))
        : Number.NaN,
    );
    set(i, 'new_counterparty_share', recentPairs[i]! ? newPairs[i]! / recentPairs[i]! : Number.NaN);
    set(i, 'pagerank', Math.log1p(c.pagerank[i]! * n));
    set(i, 'clustering', clustering[i]!);
    set(i, 'core_in_degree', Math.log1p(f.coreInDegree[i]!));
    set(i, 'core_out_degree', Math.log1p(f.coreOutDegree[i]!));
    set(i, 'cluster_size', Math.log1p(clusterSize[i]!));
    set(i, 'cluster_density', clusterDensity[i]!);
    set(i, 'cluster_flow_shape', clusterShape[i]!);
    const total = c.inStrength[i]! + c.outStrength[i]!;
    set(i, 'participation', total > 0 ? Math.min(1, participation[i]! / total) : 0);
    set(i, 'hub', isHub[i]!);
    set(i, 'relay_chain', Math.log1p(inp.relayChain[i]!));
    set(i, 'same_amount_peers', Math.log1p(same.peers[i]!));
    set(i, 'same_amount_collected', Math.log1p(same.collected[i]!));
    set(i, 'predecessor_link', predecessor[i]!);
    set(i, 'successor_link', successor[i]!);
  }
  return x;
}

/**
 * Undirected local clustering coefficient over non-hub neighbours: the share of pairs of an
 * account's counterparties that deal with each other. NaN above maxDegree (cost O(d²) per account)
 * and for hubs; 0 with fewer than two neighbours.
 */
function localClustering(flows: Flows, adj: Adjacency, isHub: Uint8Array, maxDegree: number): Float64Array {
  const n = flows.ids.length;
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (let p = 0; p < flows.pairCount; p++) {
    const a = flows.pairFrom[p]!;
    const b = flows.pairTo[p]!;
    if (isHub[a] || isHub[b]) continue;
    // One entry per unordered pair: skip (a,b) when (b,a) exists and a > b.
    if (a > b && hasTarget(adj, b, a)) continue;
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  const out = new Float64Array(n);
  const mark = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const ns = neighbours[i]!;
    if (isHub[i] || ns.length > maxDegree) {
      out[i] = Number.NaN;
      continue;
    }
    if (ns.length < 2) continue;
    for (const j of ns) mark[j] = i;
    let links = 0;
    for (const j of ns) {
      const nj = neighbours[j]!;
      if (nj.length > maxDegree) continue;
      for (const k of nj) if (mark[k] === i) links++;
    }
    // Each link between two neighbours was counted from both ends.
    out[i] = links / (ns.length * (ns.length - 1));
  }
  return out;
}
