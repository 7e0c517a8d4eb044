// acctnet/analysis/centrality: weighted in/out degree and strength and PageRank from
// graphology-metrics; exact betweenness (Brandes) only inside clusters, where it is affordable.
import { betweenness as betweennessCentrality, pagerank, subgraph, weightedInDegree, weightedOutDegree } from './graphology.js';
import type { AccountGraph } from './graph.js';

export interface Centrality {
  /** Distinct counterparties sending to / receiving from the account. */
  inDegree: Uint32Array;
  outDegree: Uint32Array;
  /** Distinct counterparties either way. */
  degree: Uint32Array;
  /** Money in / out (base currency, major units). */
  inStrength: Float64Array;
  outStrength: Float64Array;
  pagerank: Float64Array;
  /** Normalised betweenness inside the account's cluster; NaN where not computed. */
  betweenness: Float64Array;
}

export interface CentralityOptions {
  pagerankAlpha: number;
  pagerankMaxIterations: number;
}

export const CENTRALITY_DEFAULTS: CentralityOptions = { pagerankAlpha: 0.85, pagerankMaxIterations: 100 };

export function computeCentrality(graph: AccountGraph, n: number, options: Partial<CentralityOptions> = {}): Centrality {
  const o = { ...CENTRALITY_DEFAULTS, ...options };
  const c: Centrality = {
    inDegree: new Uint32Array(n),
    outDegree: new Uint32Array(n),
    degree: new Uint32Array(n),
    inStrength: new Float64Array(n),
    outStrength: new Float64Array(n),
    pagerank: new Float64Array(n),
    betweenness: new Float64Array(n).fill(Number.NaN),
  };
  graph.forEachNode((node, attrs) => {
    const i = attrs.i;
    c.inDegree[i] = graph.inDegree(node);
    c.outDegree[i] = graph.outDegree(node);
    c.degree[i] = graph.neighbors(node).length;
    c.inStrength[i] = weightedInDegree(graph, node, 'amount');
    c.outStrength[i] = weightedOutDegree(graph, node, 'amount');
  });
  if (graph.order > 0) {
    // Money flows towards the accounts PageRank ranks high: weighted by the damped relation strength.
    const ranks = pagerank(graph, {
      getEdgeWeight: 'weight',
      alpha: o.pagerankAlpha,
      maxIterations: o.pagerankMaxIterations,
      tolerance: 1e-9,
    });
    graph.forEachNode((node, attrs) => {
      c.pagerank[attrs.i] = ranks[node] ?? 0;
    });
  }
  return c;
}

/**
 * Exact Brandes betweenness (O(n·m)) per cluster, on the cluster's own directed subgraph: who is
 * the bridge inside a ring or chain. Clusters above maxSize are skipped (their value stays NaN).
 */
export function clusterBetweenness(graph: AccountGraph, clusters: Map<number, string[]>, c: Centrality, maxSize: number): void {
  for (const members of clusters.values()) {
    if (members.length < 3 || members.length > maxSize) continue;
    const sub = subgraph(graph, members) as AccountGraph;
    const scores = betweennessCentrality(sub, { normalized: true, getEdgeWeight: null });
    for (const node of members) c.betweenness[graph.getNodeAttribute(node, 'i')] = scores[node] ?? 0;
  }
}
