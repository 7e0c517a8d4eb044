// Page for `npm run bench:console`: the console's own GraphView (sigma + ForceAtlas2 worker) on a
// synthetic graph of N nodes, measured in the browser (and, by openView, the level-of-detail browser
// test's page). Not part of the served console.
import { GraphView, type ViewEdge, type ViewNode } from '../graph-view.js';

const ROLES = ['pass_through', 'collector', 'distributor', 'leaf', 'regular', 'hub'];

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Communities of ~40 accounts, mostly internal edges, some bridges: what a page of clusters looks like. */
function synthetic(n: number, seed: number): { nodes: ViewNode[]; edges: ViewEdge[] } {
  const r = rng(seed);
  const nodes: ViewNode[] = Array.from({ length: n }, (_, k) => ({
    id: `A${k}`,
    role: ROLES[Math.floor(r() * ROLES.length)]!,
    score: r(),
    pagerank: r() ** 3,
    label: r() < 0.02 ? 'fraud' : null,
  }));
  const edges: ViewEdge[] = [];
  for (let k = 0; k < n * 2; k++) {
    const a = Math.floor(r() * n);
    const b = r() < 0.9 ? Math.min(n - 1, Math.floor(a / 40) * 40 + Math.floor(r() * 40)) : Math.floor(r() * n);
    if (a !== b) edges.push({ source: `A${a}`, target: `A${b}`, count: 1 + Math.floor(r() * 9), amount: r() * 10_000 });
  }
  return { nodes, edges };
}

/**
 * Frames sigma renders per second while the camera zooms and turns the way a mouse wheel animates it
 * (camera animations: what sigma treats as "moving", so large views hide edges meanwhile).
 */
async function fps(view: GraphView, ms: number, ratios: [number, number] = [1, 1.6]): Promise<number> {
  let frames = 0;
  const count = () => frames++;
  view.sigma.on('afterRender', count);
  const camera = view.sigma.getCamera();
  const start = performance.now();
  for (let k = 0; performance.now() - start < ms; k++)
    await camera.animate({ ratio: k % 2 ? ratios[0] : ratios[1], angle: k * 0.3 }, { duration: 400, easing: 'linear' });
  view.sigma.off('afterRender', count);
  return (frames * 1000) / (performance.now() - start);
}

/** Until the camera has rested long enough for the level of detail to be rebuilt for the view. */
const settle = () => new Promise((r) => setTimeout(r, 600));

/**
 * One graph of n nodes: frames per second during the layout, after it at the whole view, and zoomed in
 * to a third of it (on the densest account). `lod` false draws every account (the view before the
 * level of detail).
 */
async function run(n: number, lod = true): Promise<Record<string, number>> {
  const container = document.getElementById('graph')!;
  const tooltip = document.getElementById('tooltip')!;
  const { nodes, edges } = synthetic(n, 42);
  const t0 = performance.now();
  const view = new GraphView(container, tooltip, () => {}, { levelOfDetail: lod });
  view.add(nodes, edges);
  await new Promise((r) => requestAnimationFrame(() => r(null)));
  const firstFrameMs = performance.now() - t0;
  const duringLayout = await fps(view, 2000);
  while (view.layoutRunning()) await new Promise((r) => setTimeout(r, 100));
  const layoutDoneMs = performance.now() - t0;
  await settle();
  const drawnNodes = view.drawn().order;
  const drawnEdges = view.drawn().size;
  const idle = await fps(view, 3000);
  // Zoomed in on the weightiest account: the level of detail draws more of its surroundings.
  const camera = view.sigma.getCamera();
  const top = view.graph
    .nodes()
    .reduce((a, b) => (view.graph.getNodeAttribute(b, 'size') > view.graph.getNodeAttribute(a, 'size') ? b : a));
  const d = view.sigma.getNodeDisplayData(top)!;
  await camera.animate({ x: d.x, y: d.y, ratio: 0.33, angle: 0 }, { duration: 100 });
  await settle();
  const drawnZoomed = view.drawn().order;
  const zoomed = await fps(view, 3000, [0.33, 0.45]);
  const result = {
    nodes: view.graph.order,
    edges: view.graph.size,
    firstFrameMs,
    layoutDoneMs,
    fpsDuringLayout: duringLayout,
    fps: idle,
    fpsZoomed: zoomed,
    drawnNodes,
    drawnEdges,
    drawnZoomed,
  };
  view.kill();
  return result;
}

/** For test/console/lod.browser.test.ts: a view of n synthetic nodes, left open after its layout. */
async function openView(n: number, lod = true): Promise<number> {
  const { nodes, edges } = synthetic(n, 42);
  const view = new GraphView(document.getElementById('graph')!, document.getElementById('tooltip')!, (id) => view.select(id), {
    levelOfDetail: lod,
  });
  view.add(nodes, edges);
  while (view.layoutRunning()) await new Promise((r) => setTimeout(r, 100));
  await settle();
  (window as unknown as { view: GraphView }).view = view;
  return view.graph.order;
}

Object.assign(window, { runGraphBench: run, openView, settle });
