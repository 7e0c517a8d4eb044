// acctnet/analysis/communities: Louvain (graphology-communities-louvain) on an undirected projection
// of the account graph without hubs, then recursive splitting of communities too large to act on.
//
// Why undirected: on a directed graph the library silently switches to directed modularity, which
// rewards one-way flows (a merchant and its customers) as much as relations. Money moving in a ring
// or back and forth is one relation; the projection sums both directions' damped weights.
// Why without hubs: a merchant or payroll account links thousands of unrelated people; with it,
// Louvain returns one giant community. Hubs get no cluster (clusterId null) and are typed by role.
import { louvain, subgraph, UndirectedGraph } from './graphology.js';
import { createRng } from '../synth/rng.js';
import type { AccountGraph } from './graph.js';

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
  /** Members (node keys) per community number, communities of size ≥ 2 only. */
  members: Map<number, string[]>;
  modularity: number;
  /** Communities that could not be split below maxClusterSize. */
  oversized: number;
}

function project(graph: AccountGraph, isHub: Uint8Array): Projection {
  const proj: Projection = new UndirectedGraph<Record<string, never>, ProjectionAttrs>({ allowSelfLoops: false });
  graph.forEachNode((node, attrs) => {
    if (!isHub[attrs.i]) proj.addNode(node);
  });
  graph.forEachEdge((_edge, attrs, source, target, sa, ta) => {
    if (isHub[sa.i] || isHub[ta.i]) return;
    proj.updateUndirectedEdge(source, target, (e) => ({ w: (e.w ?? 0) + attrs.weight }));
  });
  // Accounts whose only relations are hubs are not part of any community.
  proj.forEachNode((node) => {
    if (proj.degree(node) === 0) proj.dropNode(node);
  });
  return proj;
}

function runLouvain(g: Projection, resolution: number, seed: number): { communities: Record<string, number>; modularity: number } {
  const detailed = louvain.detailed(g, { getEdgeWeight: 'w', resolution, rng: createRng(seed), fastLocalMoves: true, randomWalk: true });
  return { communities: detailed.communities, modularity: detailed.modularity };
}

export function detectCommunities(graph: AccountGraph, n: number, isHub: Uint8Array, options: Partial<CommunityOptions> = {}): Communities {
  const o = { ...COMMUNITY_DEFAULTS, ...options };
  const community = new Int32Array(n).fill(-1);
  const members = new Map<number, string[]>();
  let oversized = 0;
  let next = 0;
  let proj: Projection | null = project(graph, isHub);
  if (proj.order === 0) return { community, members, modularity: Number.NaN, oversized };

  const top = runLouvain(proj, o.resolution, o.seed);
  const groups = new Map<number, string[]>();
  proj.forEachNode((node) => {
    const c = top.communities[node]!;
    let list = groups.get(c);
    if (!list) groups.set(c, (list = []));
    list.push(node);
  });

  // Split what is too large to act on: the same algorithm, on the community alone, finer resolution.
  const queue: Array<{ nodes: string[]; depth: number }> = [...groups.values()].map((nodes) => ({ nodes, depth: 0 }));
  while (queue.length) {
    const { nodes, depth } = queue.shift()!;
    if (nodes.length <= o.maxClusterSize || depth >= o.maxSplitDepth) {
      if (nodes.length > o.maxClusterSize) oversized++;
      if (nodes.length < 2) continue;
      const id = next++;
      members.set(id, nodes);
      for (const node of nodes) community[graph.getNodeAttribute(node, 'i')] = id;
      continue;
    }
    const sub = subgraph(proj, nodes) as Projection;
    // On its own the community is a small graph: start from at least the standard resolution and
    // go finer at each level until it falls apart into tight groups.
    const split = runLouvain(sub, Math.max(1, o.resolution) * o.splitFactor ** depth, o.seed + depth + 1);
    const parts = new Map<number, string[]>();
    for (const node of nodes) {
      const c = split.communities[node]!;
      let list = parts.get(c);
      if (!list) parts.set(c, (list = []));
      list.push(node);
    }
    if (parts.size === 1) queue.push({ nodes, depth: o.maxSplitDepth });
    else for (const part of parts.values()) queue.push({ nodes: part, depth: depth + 1 });
  }
  const modularity = top.modularity;
  proj = null; // release the projection before the next steps
  return { community, members, modularity, oversized };
}
