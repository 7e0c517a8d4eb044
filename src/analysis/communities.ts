// acctnet/analysis/communities: Louvain (graphology-communities-louvain) on an undirected projection
// of the account graph without hubs, then recursive splitting of communities too large to act on.
//
// Why undirected: on a directed graph the library silently switches to directed modularity, which
// rewards one-way flows (a merchant and its customers) as much as relations. Money moving in a ring
// or back and forth is one relation; the projection sums both directions' damped weights.
// Why without hubs: a merchant or payroll account links thousands of unrelated people; with it,
// Louvain returns one giant community. Hubs get no cluster (clusterId null) and are typed by role.
import { louvain, UndirectedGraph } from './graphology.js';
import { createRng } from './rng.js';
import { dampedWeight, pairOrder, type PairOrder } from './graph.js';
import type { Flows } from './flows.js';

export interface CommunityOptions {
  resolution: number;
  seed: number;
  /** Communities above this size are split with Louvain at a higher resolution. */
  maxClusterSize: number;
  /** Resolution multiplier per splitting level. */
  splitFactor: number;
  maxSplitDepth: number;
}

export const COMMUNITY_DEFAULTS: CommunityOptions = { resolution: 1, seed: 1, maxClusterSize: 50, splitFactor: 2, maxSplitDepth: 6 };

interface ProjectionAttrs {
  w: number;
}
type Projection = UndirectedGraph<Record<string, never>, ProjectionAttrs>;

export interface Communities {
  /** Community number per account index, -1 for hubs and accounts with no non-hub relation. */
  community: Int32Array;
  /** Members (account ids) per community number, communities of size ≥ 2 only. */
  members: Map<number, string[]>;
  modularity: number;
  /** Communities that could not be split below maxClusterSize. */
  oversized: number;
  /** ms spent building the projection, in the top-level Louvain, and splitting. */
  timings: { projection: number; louvain: number; split: number };
}

/**
 * The undirected projection without hubs, from the pairs in the account graph's order (pairOrder):
 * accounts by id, each relation once — at the first of its directions in that order, weighing both
 * (damped weight of one direction plus the other's, as the graph's edges hold them) — and no account
 * whose only relations are hubs. The same graph, node for node and edge for edge, as one built by
 * walking the account graph's edges, without looking each reverse edge up by its ids. Nodes are keyed
 * by rank (`'0'`, `'1'`, … in id order, as the run's account graph: integer-like keys are V8's cheap
 * indexed elements in graphology's neighbour objects); Louvain reads nodes and edges in insertion
 * order, so the keys do not change its result.
 */
function project(
  flows: Pick<Flows, 'ids' | 'pairFrom' | 'pairTo' | 'pairAmount' | 'pairTransfers'>,
  isHub: Uint8Array,
  po: PairOrder,
): Projection {
  const { ids, pairFrom, pairTo, pairAmount, pairTransfers } = flows;
  const { order, rank, pairs, reverse } = po;
  const n = ids.length;
  const linked = new Uint8Array(n);
  for (const p of pairs) {
    const a = pairFrom[p]!;
    const b = pairTo[p]!;
    if (isHub[a] || isHub[b]) continue;
    linked[a] = 1;
    linked[b] = 1;
  }
  const proj: Projection = new UndirectedGraph<Record<string, never>, ProjectionAttrs>({ allowSelfLoops: false });
  const key = Array.from(rank, (r) => String(r));
  for (const i of order) if (linked[i]) proj.addNode(key[i]!);
  for (const p of pairs) {
    const a = pairFrom[p]!;
    const b = pairTo[p]!;
    if (isHub[a] || isHub[b]) continue;
    const w = dampedWeight(pairAmount[p]!, pairTransfers[p]!);
    const q = reverse[p]!;
    // Keyed by the pair index (graphology's generated keys cost more; nothing reads the key).
    if (q < 0) proj.addUndirectedEdgeWithKey(String(p), key[a]!, key[b]!, { w });
    else if (rank[a]! < rank[b]!)
      proj.addUndirectedEdgeWithKey(String(p), key[a]!, key[b]!, { w: w + dampedWeight(pairAmount[q]!, pairTransfers[q]!) });
  }
  return proj;
}

interface LouvainRun {
  communities: Record<string, number>;
  modularity: number;
  /** dendrogram[k][i]: community of the i-th node (proj.forEachNode order) after pass k (0: singletons). */
  dendrogram: ArrayLike<number>[];
}

function runLouvain(g: Projection, resolution: number, seed: number): LouvainRun {
  const detailed = louvain.detailed(g, { getEdgeWeight: 'w', resolution, rng: createRng(seed), fastLocalMoves: true, randomWalk: true });
  return {
    communities: detailed.communities,
    modularity: detailed.modularity,
    dendrogram: (detailed.dendrogram ?? []) as ArrayLike<number>[],
  };
}

/**
 * The subgraph induced by some nodes. graphology-operators' subgraph walks every edge of the whole
 * graph per call, which made splitting quadratic; this walks only the nodes' own edges. A node's
 * edges with itself as source are its relations added at its own pairs, in its targets' rank order:
 * the order its neighbour object lists them in with rank keys (integer-like keys come in numeric
 * order), so the subgraph's edges go in in the projection's own order, whatever the account ids.
 */
function induced(g: Projection, nodes: readonly string[]): Projection {
  const sub: Projection = new UndirectedGraph<Record<string, never>, ProjectionAttrs>({ allowSelfLoops: false });
  const inside = new Set(nodes);
  for (const node of nodes) sub.addNode(node);
  for (const node of nodes) {
    g.forEachEdge(node, (_e, attrs, source, target) => {
      if (source === node && inside.has(target)) sub.addUndirectedEdge(source, target, { w: attrs.w });
    });
  }
  return sub;
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(item);
  }
  return [...groups.values()];
}

export function detectCommunities(
  flows: Pick<Flows, 'ids' | 'pairFrom' | 'pairTo' | 'pairAmount' | 'pairTransfers' | 'pairCount'>,
  isHub: Uint8Array,
  options: Partial<CommunityOptions> = {},
  po: PairOrder = pairOrder(flows),
): Communities {
  const o = { ...COMMUNITY_DEFAULTS, ...options };
  const n = flows.ids.length;
  const community = new Int32Array(n).fill(-1);
  const members = new Map<number, string[]>();
  let oversized = 0;
  let next = 0;
  let t = performance.now();
  let proj: Projection | null = project(flows, isHub, po);
  const timings = { projection: Math.round(performance.now() - t), louvain: 0, split: 0 };
  if (proj.order === 0) return { community, members, modularity: Number.NaN, oversized, timings };

  t = performance.now();
  const top = runLouvain(proj, o.resolution, o.seed);
  timings.louvain = Math.round(performance.now() - t);
  t = performance.now();
  const emit = (nodes: string[]) => {
    if (nodes.length > o.maxClusterSize) oversized++;
    if (nodes.length < 2) return;
    const id = next++;
    members.set(
      id,
      nodes.map((node) => flows.ids[po.order[Number(node)]!]!),
    );
    for (const node of nodes) community[po.order[Number(node)]!] = id;
  };

  // Split what is too large to act on. First for free: Louvain's own dendrogram holds the finer
  // partitions of its earlier passes; a community too large is cut along the coarsest earlier pass
  // that makes its parts small enough.
  const position = new Map<string, number>();
  proj.forEachNode((node) => position.set(node, position.size));
  const levels = top.dendrogram;
  const last = levels.length - 1;
  const tooLarge: string[][] = [];
  const descend = (nodes: string[], level: number) => {
    if (nodes.length <= o.maxClusterSize) return emit(nodes);
    if (level <= 1) return tooLarge.push(nodes);
    for (const part of groupBy(nodes, (node) => levels[level - 1]![position.get(node)!]!)) descend(part, level - 1);
  };
  const finalGroups =
    last >= 1
      ? groupBy([...position.keys()], (node) => levels[last]![position.get(node)!]!)
      : groupBy([...position.keys()], (node) => top.communities[node]!);
  for (const nodes of finalGroups) descend(nodes, last);

  // What the first pass left too large: the same algorithm on the part alone, finer resolution.
  const queue: Array<{ nodes: string[]; depth: number }> = tooLarge.map((nodes) => ({ nodes, depth: 0 }));
  for (let q = 0; q < queue.length; q++) {
    const { nodes, depth } = queue[q]!;
    if (nodes.length <= o.maxClusterSize || depth >= o.maxSplitDepth) {
      emit(nodes);
      continue;
    }
    const sub = induced(proj, nodes);
    // On its own the part is a small graph: start from at least the standard resolution and go
    // finer at each level until it falls apart into tight groups.
    const split = runLouvain(sub, Math.max(1, o.resolution) * o.splitFactor ** depth, o.seed + depth + 1);
    const parts = groupBy(nodes, (node) => split.communities[node]!);
    if (parts.length === 1) queue.push({ nodes, depth: o.maxSplitDepth });
    else for (const part of parts) queue.push({ nodes: part, depth: depth + 1 });
  }
  const modularity = top.modularity;
  // Released before the next steps, and emptied: dropped alone, it stayed alive through V8's
  // ordinary full collections for the rest of the run (60 MiB at 1M transfers; see pipeline.ts).
  proj.clear();
  proj = null;
  timings.split = Math.round(performance.now() - t);
  return { community, members, modularity, oversized, timings };
}
