// acctnet/analysis/graph: the directed account graph, one edge per ordered pair of accounts.
// Nodes are inserted in sorted id order and edges in (source, target) order, because Louvain's
// result depends on insertion order: the same data must give the same clusters.
import { DirectedGraph } from './graphology.js';
import type { Flows } from './flows.js';

export interface AccountAttrs {
  /** Index into the Flows arrays. */
  i: number;
}

/**
 * An edge holds only what PageRank reads. Everything else about a pair (transfers, amount, first and
 * last time) is in the pair arrays of Flows, which every other step reads (see pairOrder).
 */
export interface TransferEdgeAttrs {
  /** Damped strength of the relation, used by PageRank and Louvain (see dampedWeight). */
  weight: number;
}

export type AccountGraph = DirectedGraph<AccountAttrs, TransferEdgeAttrs>;

/**
 * Strength of a relation: log-damped amount times log-damped repetition. One large payment must
 * not outweigh a relation that repeats for months, and a merchant's millions must not swamp
 * everything else.
 */
export function dampedWeight(amount: number, count: number): number {
  // Below ~1e-15, 1 + amount/10 rounds to 1 and log2 gives 0: an account whose only outflow is dust
  // would have no outgoing weight, and PageRank divides by it. log1p keeps such amounts positive; for
  // every other amount the expression is the one used since v1 (results unchanged bit for bit).
  const damped = Math.log2(1 + amount / 10);
  return (damped > 0 ? damped : Math.log1p(amount / 10) / Math.LN2) * (1 + Math.log2(count));
}

/**
 * The account graph's order: accounts by id (`order`, and each account's place in it, `rank`), and
 * the pairs by (source rank, target rank). Louvain's projection, the degrees and strengths, the cluster
 * shapes and the migration candidates read the pairs in this order, so they see the graph's edges and
 * neighbours in the graph's own order without walking graphology's per-account objects.
 */
export interface PairOrder {
  order: number[];
  rank: Uint32Array;
  pairs: Uint32Array;
  /** Per account rank r, its pairs as a sender are pairs[outStart[r]..outStart[r+1]) (targets in rank order). */
  outStart: Uint32Array;
  /** Per account rank r, its pairs as a receiver are inPairs[inStart[r]..inStart[r+1]) (senders in rank order). */
  inStart: Uint32Array;
  inPairs: Uint32Array;
  /** Per pair a → b, the pair b → a, or -1. */
  reverse: Int32Array;
}

export function pairOrder(flows: Pick<Flows, 'ids' | 'pairFrom' | 'pairTo' | 'pairCount'>): PairOrder {
  const order = flows.ids.map((_, i) => i).sort((a, b) => (flows.ids[a]! < flows.ids[b]! ? -1 : 1));
  const rank = new Uint32Array(flows.ids.length);
  order.forEach((i, r) => (rank[i] = r));
  // Pairs in (source rank, target rank) order: two stable counting sorts (by target rank, then by
  // source rank) — linear, no comparison sort at all. Each ordered pair occurs once, so the order
  // is the same as sorting by (source rank, target rank).
  const m = flows.pairCount;
  const nodes = order.length;
  const { pairFrom, pairTo } = flows;
  const byTarget = countingSort(pairTo, rank, nodes, m, null).sorted;
  const { sorted: pairs, start: outStart } = countingSort(pairFrom, rank, nodes, m, byTarget);
  // By receiver, stably from `pairs`: each receiver's senders in rank order.
  const { sorted: inPairs, start: inStart } = countingSort(pairTo, rank, nodes, m, pairs);
  // The reverse of each pair: the pair from its receiver back to its sender.
  const reverse = new Int32Array(m);
  for (let p = 0; p < m; p++) reverse[p] = findPair(pairTo, rank, pairs, outStart, rank[pairTo[p]!]!, rank[pairFrom[p]!]!);
  return { order, rank, pairs, outStart, inStart, inPairs, reverse };
}

/**
 * The account's counterparties (account indices) in the order graphology's forEachNeighbor gives
 * them on the account graph: its senders by id, then its receivers by id that are not also senders.
 */
export function forEachNeighborIndex(
  flows: Pick<Flows, 'pairFrom' | 'pairTo'>,
  po: PairOrder,
  i: number,
  callback: (j: number) => void,
): void {
  const r = po.rank[i]!;
  for (let k = po.inStart[r]!, end = po.inStart[r + 1]!; k < end; k++) callback(flows.pairFrom[po.inPairs[k]!]!);
  for (let k = po.outStart[r]!, end = po.outStart[r + 1]!; k < end; k++) {
    const p = po.pairs[k]!;
    if (po.reverse[p]! < 0) callback(flows.pairTo[p]!);
  }
}

/** What the account graph is built from: the pairs (and the ids, for id keys). */
export type GraphPairs = Pick<Flows, 'pairFrom' | 'pairTo' | 'pairAmount' | 'pairTransfers'> & { ids: ArrayLike<string> };

/**
 * The account graph, nodes in id order and edges in pair order. Its node keys are the account ids
 * (`keys: 'id'`, for tests and tools that look accounts up) or the accounts' ranks in that order as
 * decimal strings (`keys: 'rank'`, what a run builds for PageRank; `attrs.i` maps back either way).
 * Rank keys are the faster graph: graphology keeps each node's neighbours in a plain object keyed by
 * the neighbour's key, and V8 stores integer-like keys as indexed elements, where arbitrary string
 * keys give every node's object its own chain of hidden classes (1M transfers: 5.2–6.0 → 4.2–4.5 s for
 * the graph step). Both graphs list every node's neighbours in rank order — rank keys are integers
 * enumerated in numeric order, which is rank order — so PageRank gives the same result on both
 * unless the ids are themselves integer-like (then the id-keyed graph enumerates in numeric order).
 * Edges are keyed by their pair index: cheaper than graphology's generated keys (a prefixed counter
 * looked up before use), and nothing reads an edge's key.
 */
export function buildAccountGraph(
  flows: GraphPairs,
  po: Pick<PairOrder, 'rank' | 'pairs'> & { order: Iterable<number> } = pairOrder(flows as Flows),
  keys: 'id' | 'rank' = 'id',
): AccountGraph {
  const graph: AccountGraph = new DirectedGraph<AccountAttrs, TransferEdgeAttrs>({ allowSelfLoops: false });
  const rankKeys = keys === 'rank' ? Array.from(po.rank, (r) => String(r)) : null;
  const key = rankKeys ?? flows.ids;
  for (const i of po.order) graph.addNode(key[i]!, { i });
  for (const p of po.pairs)
    graph.addDirectedEdgeWithKey(String(p), key[flows.pairFrom[p]!]!, key[flows.pairTo[p]!]!, {
      weight: dampedWeight(flows.pairAmount[p]!, flows.pairTransfers[p]!),
    });
  return graph;
}

/**
 * Pair indices stably sorted by rank[key[p]] (p taken from `within` in its order, or 0..m-1):
 * a counting sort over the node ranks. `start[r]..start[r+1]` is rank r's run in `sorted`.
 */
function countingSort(
  key: ArrayLike<number>,
  rank: Uint32Array,
  nodes: number,
  m: number,
  within: Uint32Array | null,
): { sorted: Uint32Array; start: Uint32Array } {
  const start = new Uint32Array(nodes + 1);
  for (let p = 0; p < m; p++) start[rank[key[p]!]! + 1]!++;
  for (let r = 0; r < nodes; r++) start[r + 1]! += start[r]!;
  const fill = start.slice(0, nodes);
  const sorted = new Uint32Array(m);
  if (within === null) for (let p = 0; p < m; p++) sorted[fill[rank[key[p]!]!]!++] = p;
  else
    for (let q = 0; q < m; q++) {
      const p = within[q]!;
      sorted[fill[rank[key[p]!]!]!++] = p;
    }
  return { sorted, start };
}

/**
 * The pair from the account of rank `fromRank` to the account of rank `toRank`, or -1: a binary
 * search among the sender's pairs, which `pairs` holds in its receivers' rank order.
 */
function findPair(
  pairTo: ArrayLike<number>,
  rank: Uint32Array,
  pairs: Uint32Array,
  outStart: Uint32Array,
  fromRank: number,
  toRank: number,
): number {
  let lo = outStart[fromRank]!;
  let hi = outStart[fromRank + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = rank[pairTo[pairs[mid]!]!]!;
    if (t < toRank) lo = mid + 1;
    else if (t > toRank) hi = mid;
    else return pairs[mid]!;
  }
  return -1;
}

/** The pair from → to (a pair index of `flows`), or -1. */
export function pairIndex(flows: Pick<Flows, 'pairTo'>, po: PairOrder, from: number, to: number): number {
  return findPair(flows.pairTo, po.rank, po.pairs, po.outStart, po.rank[from]!, po.rank[to]!);
}

/** The account graph's edges at an account, both directions (graphology's degree on the directed graph). */
export function edgesAt(po: PairOrder, i: number): number {
  const r = po.rank[i]!;
  return po.inStart[r + 1]! - po.inStart[r]! + po.outStart[r + 1]! - po.outStart[r]!;
}

/** Account index → node key, and node key → index, for code that works on typed arrays. */
export function indexOf(graph: AccountGraph, node: string): number {
  return graph.getNodeAttribute(node, 'i');
}
