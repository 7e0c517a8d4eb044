// Level of detail for large graphs: what sigma draws when a cluster has more accounts than a
// machine without a GPU can redraw smoothly. Software WebGL pays per drawn node on every frame (even
// for hidden ones: sigma keeps them in its buffers), so the drawn graph is a smaller graphology graph:
// - inside the visible area, the `budget` weightiest accounts (PageRank size; leaves count half;
//   accounts in `keep` — the selected one, labelled fraud — always) are drawn as themselves;
// - every other account is collapsed into an aggregate node per grid cell (fine cells in the visible
//   area, coarse ones outside it), drawn grey at its members' centre, sized by how many it holds;
// - relations are drawn between drawn accounts, and between a drawn account and an aggregate
//   (merged: counts and amounts summed, first/last widened), at most `relationsPerGroup` per aggregate,
//   its strongest; aggregate-to-aggregate ones are not drawn.
// Zooming in shrinks the visible area, so fewer accounts compete for the budget and the aggregates
// there split into their members.
import Graph from 'graphology';

export const AGGREGATE_PREFIX = '\u0000group:';
export const AGGREGATE_COLOR = '#c3c9d3';

export interface Box {
  x: [number, number];
  y: [number, number];
}

export interface LodOptions {
  /** Accounts drawn as themselves inside `view`. */
  budget: number;
  /** The visible area (graph coordinates), margin included. */
  view: Box;
  /** Grid cells across the larger side of the view (and of the whole graph, outside the view). */
  cells: number;
  /** Accounts always drawn as themselves. */
  keep: ReadonlySet<string>;
  /** Merged relations kept per aggregate: its strongest by amount (then by transfers). */
  relationsPerGroup: number;
}

export interface Lod {
  /** What sigma draws: the drawn accounts (same keys and attributes), aggregates, merged relations. */
  graph: Graph;
  /** Aggregate key → the accounts collapsed into it. */
  members: Map<string, string[]>;
  /** Collapsed account → its aggregate key. */
  groupOf: Map<string, string>;
}

export function edgeSize(amount: number | null): number {
  return 0.5 + Math.min(6, Math.log10(1 + (amount ?? 0)) * 0.8);
}

export function extent(graph: Graph): Box {
  const box: Box = { x: [Infinity, -Infinity], y: [Infinity, -Infinity] };
  graph.forEachNode((_n, a) => {
    box.x = [Math.min(box.x[0], a.x as number), Math.max(box.x[1], a.x as number)];
    box.y = [Math.min(box.y[0], a.y as number), Math.max(box.y[1], a.y as number)];
  });
  return box;
}

const inside = (b: Box, x: number, y: number) => x >= b.x[0] && x <= b.x[1] && y >= b.y[0] && y <= b.y[1];

export function levelOfDetail(data: Graph, opts: LodOptions): Lod {
  const whole = extent(data);
  const weight = (n: string, a: Record<string, unknown>) =>
    opts.keep.has(n) || a.fraud ? Infinity : ((a.size as number) ?? 1) * (a.role === 'leaf' ? 0.5 : 1);
  const candidates: Array<[string, number]> = [];
  data.forEachNode((n, a) => {
    if (opts.keep.has(n) || inside(opts.view, a.x as number, a.y as number)) candidates.push([n, weight(n, a)]);
  });
  candidates.sort((p, q) => q[1] - p[1] || (p[0] < q[0] ? -1 : 1));
  const drawn = new Set<string>();
  for (const [n, w] of candidates) if (drawn.size < opts.budget || w === Infinity) drawn.add(n);

  const cellOf = (box: Box, x: number, y: number, tag: string) => {
    const side = Math.max(box.x[1] - box.x[0], box.y[1] - box.y[0], 1e-9) / opts.cells;
    return `${AGGREGATE_PREFIX}${tag}:${Math.floor((x - box.x[0]) / side)}:${Math.floor((y - box.y[0]) / side)}`;
  };
  const graph = new Graph({ type: 'directed', multi: false });
  const members = new Map<string, string[]>();
  const groupOf = new Map<string, string>();
  data.forEachNode((n, a) => {
    if (drawn.has(n)) {
      graph.addNode(n, { ...a });
      return;
    }
    const x = a.x as number;
    const y = a.y as number;
    const key = inside(opts.view, x, y) ? cellOf(opts.view, x, y, 'in') : cellOf(whole, x, y, 'out');
    groupOf.set(n, key);
    const list = members.get(key);
    if (list) list.push(n);
    else members.set(key, [n]);
  });
  for (const [key, list] of members) {
    let x = 0;
    let y = 0;
    for (const m of list) {
      x += data.getNodeAttribute(m, 'x') as number;
      y += data.getNodeAttribute(m, 'y') as number;
    }
    graph.addNode(key, {
      x: x / list.length,
      y: y / list.length,
      size: Math.min(22, 3 + 1.5 * Math.sqrt(list.length)),
      color: AGGREGATE_COLOR,
      ring: 0,
      label: `${list.length} account${list.length === 1 ? '' : 's'}`,
      aggregate: list.length,
      zIndex: -1,
    });
  }

  data.forEachEdge((_e, a, s, t) => {
    const ds = groupOf.get(s) ?? s;
    const dt = groupOf.get(t) ?? t;
    if (ds === dt || (ds !== s && dt !== t)) return;
    if (ds === s && dt === t) {
      graph.addDirectedEdge(s, t, { ...a });
      return;
    }
    const existing = graph.directedEdge(ds, dt);
    if (existing === undefined) {
      graph.addDirectedEdge(ds, dt, { ...a, label: undefined, forceLabel: false, merged: 1 });
      return;
    }
    const m = graph.getEdgeAttributes(existing);
    const amount = m.amount === null || a.amount === null ? null : (m.amount as number) + (a.amount as number);
    const first = typeof a.first === 'number' && typeof m.first === 'number' ? Math.min(a.first, m.first) : (m.first ?? a.first);
    const last = typeof a.last === 'number' && typeof m.last === 'number' ? Math.max(a.last, m.last) : (m.last ?? a.last);
    graph.mergeEdgeAttributes(existing, {
      count: (m.count as number) + (a.count as number),
      amount,
      size: edgeSize(amount),
      first,
      last,
      merged: (m.merged as number) + 1,
    });
  });
  for (const key of members.keys()) {
    const merged = graph.edges(key);
    if (merged.length <= opts.relationsPerGroup) continue;
    const strength = (e: string) => [graph.getEdgeAttribute(e, 'amount') ?? -1, graph.getEdgeAttribute(e, 'count')] as [number, number];
    merged.sort((p, q) => {
      const [a1, c1] = strength(p);
      const [a2, c2] = strength(q);
      return a2 - a1 || c2 - c1 || (p < q ? -1 : 1);
    });
    for (const e of merged.slice(opts.relationsPerGroup)) graph.dropEdge(e);
  }
  return { graph, members, groupOf };
}
