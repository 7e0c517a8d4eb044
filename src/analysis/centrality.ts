// acctnet/analysis/centrality: in/out degree and strength from the pairs, PageRank from
// graphology-metrics; exact betweenness (Brandes) only inside clusters, where it is affordable
// and where an investigator looks.
import { pagerank } from './graphology.js';
import { pairOrder, type AccountGraph, type PairOrder } from './graph.js';
import type { Flows } from './flows.js';

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

/**
 * Degrees and strengths from the pairs (one pair = one edge of `graph`), in the graph's pair order:
 * each account's sums add its pairs in the order of their other end's id, as a walk over the graph's
 * edges of that account would (graphology keeps an account's neighbours in insertion order, except
 * that a JavaScript object lists integer-like keys first and in numeric order: with numeric account
 * ids a sum may differ from graphology-metrics' weightedInDegree in its last bits). PageRank runs on
 * the graph (graphPagerank).
 */
export function computeCentrality(
  graph: AccountGraph,
  flows: Pick<Flows, 'ids' | 'pairFrom' | 'pairTo' | 'pairAmount' | 'pairCount'>,
  options: Partial<CentralityOptions> = {},
  po: PairOrder = pairOrder(flows),
): Centrality {
  const c = flowCentrality(flows, po);
  c.pagerank.set(graphPagerank(graph, flows.ids.length, options));
  return c;
}

/** Degrees and strengths from the pairs; PageRank left at 0 (graphPagerank fills it). */
export function flowCentrality(flows: Pick<Flows, 'ids' | 'pairFrom' | 'pairTo' | 'pairAmount' | 'pairCount'>, po: PairOrder): Centrality {
  const n = flows.ids.length;
  const c: Centrality = {
    inDegree: new Uint32Array(n),
    outDegree: new Uint32Array(n),
    degree: new Uint32Array(n),
    inStrength: new Float64Array(n),
    outStrength: new Float64Array(n),
    pagerank: new Float64Array(n),
    betweenness: new Float64Array(n).fill(Number.NaN),
  };
  const { pairFrom, pairTo, pairAmount } = flows;
  for (const p of po.pairs) {
    const a = pairFrom[p]!;
    const b = pairTo[p]!;
    c.outDegree[a]!++;
    c.inDegree[b]!++;
    c.outStrength[a]! += pairAmount[p]!;
    c.inStrength[b]! += pairAmount[p]!;
    // Distinct counterparties: a relation both ways counts once, for each of its two accounts.
    const back = po.reverse[p]!;
    c.degree[a]!++;
    if (back < 0) c.degree[b]!++;
  }
  return c;
}

/**
 * The tolerance PageRank is run at: 1e-9 per account, or what the iterations can reach on any graph
 * when that is more. graphology-metrics stops once the L1 change of an iteration is below
 * tolerance × accounts and throws when maxIterations pass first; a power iteration's change shrinks
 * by at least alpha per iteration from at most 2, so after k iterations it is at most 2·alpha^(k−1).
 * On a periodic graph (a few accounts paying each other in a ring, or two sides paying across) it
 * shrinks by no more than that, and with fewer than ~400 accounts 100 iterations do not reach 1e-9
 * per account: the run failed with "failed to converge" (docs/decisions.md, "PageRank on small
 * graphs"). Graphs above that size get exactly 1e-9, as before.
 */
export function pagerankTolerance(accounts: number, o: Pick<CentralityOptions, 'pagerankAlpha' | 'pagerankMaxIterations'>): number {
  const reachable = (4 * o.pagerankAlpha ** (o.pagerankMaxIterations - 1)) / Math.max(1, accounts);
  return Math.max(1e-9, reachable);
}

/** PageRank (graphology-metrics) per account index (the nodes' `i` attribute) of `n` accounts. */
export function graphPagerank(graph: AccountGraph, n: number, options: Partial<CentralityOptions> = {}): Float64Array {
  const o = { ...CENTRALITY_DEFAULTS, ...options };
  const out = new Float64Array(n);
  if (graph.order > 0) {
    // Money flows towards the accounts PageRank ranks high: weighted by the damped relation strength.
    const ranks = pagerank(graph, {
      getEdgeWeight: 'weight',
      alpha: o.pagerankAlpha,
      maxIterations: o.pagerankMaxIterations,
      tolerance: pagerankTolerance(graph.order, o),
    });
    graph.forEachNode((node, attrs) => {
      out[attrs.i] = ranks[node] ?? 0;
    });
  }
  return out;
}

/**
 * Exact betweenness (Brandes, unweighted, directed, normalised by (n−1)(n−2)) per cluster, on the
 * cluster's own transfers: who bridges the flows inside a ring or a chain. It is computed on typed
 * adjacency arrays built once per cluster: graphology-metrics' implementation is the same algorithm
 * but builds a subgraph per cluster, which dominated the run on 100k accounts. Clusters above
 * maxSize are skipped (NaN).
 */
export function clusterBetweenness(
  flows: Pick<Flows, 'index' | 'pairTo'>,
  po: PairOrder,
  clusters: Map<number, string[]>,
  c: Centrality,
  maxSize: number,
): void {
  for (const members of clusters.values()) {
    const n = members.length;
    if (n < 3 || n > maxSize) continue;
    const at = members.map((m) => flows.index.get(m)!);
    const local = new Map(at.map((i, k) => [i, k]));
    const starts = new Uint32Array(n + 1);
    const targets: number[] = [];
    at.forEach((i, k) => {
      starts[k] = targets.length;
      // Its receivers in the account graph's order (graphology's forEachOutNeighbor).
      const r = po.rank[i]!;
      for (let e = po.outStart[r]!, end = po.outStart[r + 1]!; e < end; e++) {
        const j = local.get(flows.pairTo[po.pairs[e]!]!);
        if (j !== undefined) targets.push(j);
      }
    });
    starts[n] = targets.length;
    const score = new Float64Array(n);
    const sigma = new Float64Array(n);
    const dist = new Int32Array(n);
    const delta = new Float64Array(n);
    const order = new Int32Array(n);
    const queue = new Int32Array(n);
    const preds: number[][] = members.map(() => []);
    for (let s = 0; s < n; s++) {
      sigma.fill(0);
      dist.fill(-1);
      delta.fill(0);
      for (const p of preds) p.length = 0;
      sigma[s] = 1;
      dist[s] = 0;
      let head = 0;
      let tail = 0;
      let visited = 0;
      queue[tail++] = s;
      while (head < tail) {
        const v = queue[head++]!;
        order[visited++] = v;
        for (let e = starts[v]!; e < starts[v + 1]!; e++) {
          const w = targets[e]!;
          if (dist[w]! < 0) {
            dist[w] = dist[v]! + 1;
            queue[tail++] = w;
          }
          if (dist[w] === dist[v]! + 1) {
            sigma[w]! += sigma[v]!;
            preds[w]!.push(v);
          }
        }
      }
      for (let k = visited - 1; k >= 0; k--) {
        const w = order[k]!;
        for (const v of preds[w]!) delta[v]! += (sigma[v]! / sigma[w]!) * (1 + delta[w]!);
        if (w !== s) score[w]! += delta[w]!;
      }
    }
    const scale = 1 / ((n - 1) * (n - 2));
    at.forEach((i, k) => {
      c.betweenness[i] = score[k]! * scale;
    });
  }
}
