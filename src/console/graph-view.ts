// The cluster as an interactive graph: sigma.js on graphology (the analysis' graph library),
// ForceAtlas2 in a web worker. Node size by PageRank, colour by role, a red ring for labelled fraud,
// edge width by amount, arrows for direction. Large graphs are drawn at a level of detail (lod.ts).
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import Sigma from 'sigma';
import { EdgeArrowProgram } from 'sigma/rendering';
import { createNodeBorderProgram } from '@sigma/node-border';
import { ROLE_COLORS } from './ui.js';
import { edgeSize, extent, levelOfDetail, type Lod } from './lod.js';

/** Level of detail engages above this many accounts (after the layout settles)… */
export const LOD_MIN_NODES = 800;
/** …and then draws at most this many accounts individually in the visible area. */
export const LOD_BUDGET = 500;
const LOD_CELLS = 12;
const LOD_GROUP_RELATIONS = 3;
/** The camera must rest this long before the level of detail is rebuilt for the new view. */
const LOD_SETTLE_MS = 200;

export interface ViewNode {
  id: string;
  role: string | null;
  score: number | null;
  pagerank?: number;
  label: string | null;
  /** A fixed position (the money-path view lays paths out left to right). */
  x?: number;
  y?: number;
}

export interface ViewEdge {
  source: string;
  target: string;
  count: number;
  amount: number | null;
  /** Drawn along the edge when the view shows edge labels (amount and date on a money path). */
  text?: string;
  color?: string;
  /** First and last transfer of the relation (ISO): what the time slider filters on. */
  first?: string;
  last?: string;
}

/** A date range, epoch ms, both ends included. */
export interface TimeRange {
  from: number;
  to: number;
}

/** Accounts with no transfer in the time slider's range: drawn pale, without their ring. */
export const FADED_NODE = '#e4e7ec';

/**
 * Node keys: graphology keeps each node's neighbours in plain objects, so an account id named like an
 * Object.prototype property (`__proto__`, `constructor`, `toString`…) collides with the prototype —
 * a data file holding such an id stopped its whole cluster from drawing. Those ids (and any starting
 * with the mark, which no stored id does: ingest rejects control characters) are keyed with a mark
 * in front; every other key is the id itself.
 */
const RESERVED_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));
const KEY_MARK = '\u0001';
export const nodeKey = (id: string): string => (RESERVED_KEYS.has(id) || id.startsWith(KEY_MARK) ? KEY_MARK + id : id);
export const nodeId = (key: string): string => (key.startsWith(KEY_MARK) ? key.slice(1) : key);

function hashUnit(text: string, salt: number): number {
  let x = 2166136261 ^ salt;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 16777619);
  return ((x >>> 0) % 10_000) / 10_000;
}

export class GraphView {
  readonly graph = new Graph({ type: 'directed', multi: false });
  readonly sigma: Sigma;
  private layout: FA2Layout | undefined;
  private stopTimer: number | undefined;
  private hovered: string | null = null;
  selected: string | null = null;
  private readonly labelAll: boolean;
  private range: TimeRange | null = null;
  /** Accounts with a transfer in `range` (recomputed when the range or the graph changes). */
  private active = new Set<string>();
  private readonly lodEnabled: boolean;
  /** The drawn graph when the level of detail is on (sigma then draws `lod.graph`, not `graph`). */
  lod: Lod | null = null;
  private lodTimer: number | undefined;
  private readonly onCamera = () => {
    if (!this.lodEnabled || this.layoutRunning()) return;
    window.clearTimeout(this.lodTimer);
    this.lodTimer = window.setTimeout(() => this.applyLod(), LOD_SETTLE_MS);
  };

  constructor(
    container: HTMLElement,
    private readonly tooltip: HTMLElement,
    onSelect: (id: string) => void,
    opts: { edgeLabels?: boolean; levelOfDetail?: boolean } = {},
  ) {
    this.lodEnabled = opts.levelOfDetail ?? true;
    // A small view that labels its edges (money paths) names every account and transfer.
    this.labelAll = opts.edgeLabels ?? false;
    this.sigma = new Sigma(this.graph, container, {
      defaultEdgeType: 'arrow',
      edgeProgramClasses: { arrow: EdgeArrowProgram },
      nodeProgramClasses: {
        border: createNodeBorderProgram({
          borders: [
            { size: { attribute: 'ring', defaultValue: 0 }, color: { value: '#e03131' } },
            { size: { fill: true }, color: { attribute: 'color' } },
          ],
        }),
      },
      defaultNodeType: 'border',
      renderEdgeLabels: opts.edgeLabels ?? false,
      edgeLabelSize: 12,
      edgeLabelColor: { color: '#1d2330' },
      labelRenderedSizeThreshold: 14,
      zIndex: true,
      nodeReducer: (node, data) => {
        let out = data;
        if (this.range && !this.nodeActive(node)) out = { ...out, color: FADED_NODE, ring: 0, zIndex: -1 } as typeof data;
        if (node === this.selected || node === this.hovered) out = { ...out, highlighted: true, zIndex: 1 };
        return out;
      },
      edgeReducer: (edge, data) =>
        this.range && !this.overlaps(this.sigma.getGraph().getEdgeAttributes(edge)) ? { ...data, hidden: true } : data,
    });
    this.sigma.on('clickNode', ({ node }) => (this.lod?.members.has(node) ? this.zoomInto(node) : onSelect(nodeId(node))));
    this.sigma.on('enterNode', ({ node, event }) => {
      this.hovered = node;
      const group = this.lod?.members.get(node);
      const a = this.sigma.getGraph().getNodeAttributes(node);
      this.tooltip.textContent = group
        ? `${group.length} accounts grouped at this zoom · click or zoom in to see them`
        : `${nodeId(node)} · ${a.role ?? '–'} · risk ${a.score === null || a.score === undefined ? '–' : Number(a.score).toFixed(2)}${a.fraud ? ' · labelled fraud' : ''}`;
      this.tooltip.style.left = `${event.x + 12}px`;
      this.tooltip.style.top = `${event.y + 12}px`;
      this.tooltip.hidden = false;
      this.sigma.refresh({ skipIndexation: true });
    });
    this.sigma.on('leaveNode', () => {
      this.hovered = null;
      this.tooltip.hidden = true;
      this.sigma.refresh({ skipIndexation: true });
    });
    this.sigma.getCamera().on('updated', this.onCamera);
    // The layout worker may deliver positions after it was told to stop: redraw the detail from them.
    this.graph.on('eachNodeAttributesUpdated', () => {
      if (this.lod) this.onCamera();
    });
  }

  /** Adds nodes and edges (existing ones are kept), new nodes near `near` if given. */
  add(nodes: ViewNode[], edges: ViewEdge[], near?: string, opts: { layout?: boolean } = {}): void {
    const maxRank = nodes.reduce((m, n) => Math.max(m, n.pagerank ?? 0), 1e-12);
    const nearKey = near === undefined ? undefined : nodeKey(near);
    const origin = nearKey && this.graph.hasNode(nearKey) ? this.graph.getNodeAttributes(nearKey) : { x: 0, y: 0 };
    for (const n of nodes) {
      const key = nodeKey(n.id);
      const attrs = {
        label: n.id,
        role: n.role,
        score: n.score,
        fraud: n.label === 'fraud',
        ring: n.label === 'fraud' ? 0.35 : 0,
        color: ROLE_COLORS[n.role ?? ''] ?? '#bbb',
        size: 4 + 14 * Math.sqrt((n.pagerank ?? maxRank * 0.2) / maxRank),
        forceLabel: this.labelAll,
      };
      if (this.graph.hasNode(key)) this.graph.mergeNodeAttributes(key, attrs);
      else
        this.graph.addNode(key, {
          ...attrs,
          x: n.x ?? (origin.x as number) + (hashUnit(n.id, 1) - 0.5) * 10,
          y: n.y ?? (origin.y as number) + (hashUnit(n.id, 2) - 0.5) * 10,
        });
    }
    for (const e of edges) {
      const source = nodeKey(e.source);
      const target = nodeKey(e.target);
      if (!this.graph.hasNode(source) || !this.graph.hasNode(target) || this.graph.hasDirectedEdge(source, target)) continue;
      this.graph.addDirectedEdge(source, target, {
        size: edgeSize(e.amount),
        color: e.color ?? '#b6bcc6',
        count: e.count,
        amount: e.amount,
        label: e.text,
        forceLabel: this.labelAll,
        first: e.first ? Date.parse(e.first) : null,
        last: e.last ? Date.parse(e.last) : null,
      });
    }
    if (this.range) this.computeActive();
    // Large views stay fluid while the camera moves: labels are drawn when it stops, and edges too
    // unless the level of detail bounds what is drawn (then the drawn relations stay while moving).
    const large = this.graph.order > 1000;
    this.sigma.setSetting('hideEdgesOnMove', large && !this.lodEligible());
    this.sigma.setSetting('hideLabelsOnMove', large);
    if (opts.layout === false) this.applyLod();
    else this.runLayout();
  }

  private lodEligible(): boolean {
    return this.lodEnabled && this.graph.order > LOD_MIN_NODES;
  }

  /**
   * Draws the level of detail for the current camera (or the whole graph when it is small, off, or
   * the layout is moving nodes). Called when the layout stops and when the camera has rested.
   */
  applyLod(): void {
    window.clearTimeout(this.lodTimer);
    if (!this.lodEligible() || this.layoutRunning()) {
      this.showWhole();
      return;
    }
    const box = extent(this.graph);
    // The visible area in graph coordinates, with a quarter screen of margin so small pans show detail.
    const { width, height } = this.sigma.getDimensions();
    this.sigma.setCustomBBox(box);
    const corners = [
      [-0.25, -0.25],
      [1.25, -0.25],
      [-0.25, 1.25],
      [1.25, 1.25],
    ].map(([fx, fy]) => {
      // Camera → sigma's framed [0, 1] square → graph coordinates of `box` (sigma's normalisation,
      // applied here: its own may still hold the extent of a frame not yet drawn).
      const f = this.sigma.viewportToFramedGraph({ x: fx! * width, y: fy! * height });
      const side = Math.max(box.x[1] - box.x[0], box.y[1] - box.y[0]) || 1;
      return { x: (box.x[0] + box.x[1]) / 2 + side * (f.x - 0.5), y: (box.y[0] + box.y[1]) / 2 + side * (f.y - 0.5) };
    });
    const view = {
      x: [Math.min(...corners.map((c) => c.x)), Math.max(...corners.map((c) => c.x))] as [number, number],
      y: [Math.min(...corners.map((c) => c.y)), Math.max(...corners.map((c) => c.y))] as [number, number],
    };
    const keep = new Set<string>();
    if (this.selected && this.graph.hasNode(this.selected)) keep.add(this.selected);
    this.lod = levelOfDetail(this.graph, { budget: LOD_BUDGET, view, cells: LOD_CELLS, keep, relationsPerGroup: LOD_GROUP_RELATIONS });
    this.sigma.setGraph(this.lod.graph);
  }

  private showWhole(): void {
    if (this.sigma.getGraph() === this.graph) return;
    this.lod = null;
    this.sigma.setCustomBBox(null);
    this.sigma.setGraph(this.graph);
  }

  /** Clicking an aggregate zooms the camera onto it (its members are drawn once the camera rests). */
  private zoomInto(node: string): void {
    const d = this.sigma.getNodeDisplayData(node);
    if (!d) return;
    const camera = this.sigma.getCamera();
    void camera.animate({ x: d.x, y: d.y, ratio: camera.ratio / 3 }, { duration: 400 });
  }

  /** What sigma draws now: `graph`, or the level-of-detail graph. */
  drawn(): Graph {
    return this.sigma.getGraph();
  }

  /** The first and last transfer over all drawn relations, or null when none is dated. */
  timeSpan(): TimeRange | null {
    let from = Infinity;
    let to = -Infinity;
    this.graph.forEachEdge((_e, a) => {
      if (typeof a.first === 'number') from = Math.min(from, a.first);
      if (typeof a.last === 'number') to = Math.max(to, a.last);
    });
    return from <= to ? { from, to } : null;
  }

  /**
   * Shows only relations with a transfer in the range (null: all). A relation is known by its first
   * and last transfer, so it counts as in range when [first, last] overlaps it; accounts with no
   * relation in range are drawn faded.
   */
  setTimeRange(range: TimeRange | null): void {
    this.range = range;
    this.computeActive();
    this.sigma.refresh({ skipIndexation: true });
  }

  edgeInRange(edge: string): boolean {
    return this.overlaps(this.graph.getEdgeAttributes(edge));
  }

  private overlaps(a: Record<string, unknown>): boolean {
    if (!this.range) return true;
    // An undated relation (none today: both API routes date theirs) is always shown.
    if (typeof a.first !== 'number' || typeof a.last !== 'number') return true;
    return a.first <= this.range.to && a.last >= this.range.from;
  }

  /** An account with a transfer in the range; an aggregate with at least one such member. */
  private nodeActive(node: string): boolean {
    const group = this.lod?.members.get(node);
    return group ? group.some((m) => this.active.has(m)) : this.active.has(node);
  }

  /** How many relations and accounts the current range shows. */
  rangeCounts(): { edges: number; edgesInRange: number; nodes: number; nodesInRange: number } {
    let inRange = 0;
    this.graph.forEachEdge((e) => {
      if (this.edgeInRange(e)) inRange++;
    });
    return {
      edges: this.graph.size,
      edgesInRange: inRange,
      nodes: this.graph.order,
      nodesInRange: this.range ? this.active.size : this.graph.order,
    };
  }

  private computeActive(): void {
    this.active = new Set();
    if (!this.range) return;
    this.graph.forEachEdge((e, _a, s, t) => {
      if (this.edgeInRange(e)) {
        this.active.add(s);
        this.active.add(t);
      }
    });
  }

  setLabel(account: string, label: string | null): void {
    const id = nodeKey(account);
    if (!this.graph.hasNode(id)) return;
    const attrs = { fraud: label === 'fraud', ring: label === 'fraud' ? 0.35 : 0 };
    this.graph.mergeNodeAttributes(id, attrs);
    if (this.lod?.graph.hasNode(id)) this.lod.graph.mergeNodeAttributes(id, attrs);
  }

  select(account: string | null): void {
    const id = account === null ? null : nodeKey(account);
    this.selected = id;
    // A selected account grouped away at this zoom is drawn as itself.
    if (id && this.lod && !this.lod.graph.hasNode(id) && this.graph.hasNode(id)) this.applyLod();
    else this.sigma.refresh({ skipIndexation: true });
  }

  /** ForceAtlas2 in a worker for a few seconds (longer for larger graphs), then the camera fits. */
  private runLayout(): void {
    this.layout?.kill();
    window.clearTimeout(this.stopTimer);
    // The layout moves the accounts themselves: draw the whole graph while it runs.
    this.showWhole();
    const settings = forceAtlas2.inferSettings(this.graph);
    this.layout = new FA2Layout(this.graph, { settings: { ...settings, barnesHutOptimize: this.graph.order > 500 } });
    this.layout.start();
    this.stopTimer = window.setTimeout(
      () => {
        this.layout?.stop();
        this.applyLod();
      },
      Math.min(6000, 1500 + this.graph.order * 2),
    );
  }

  /** Whether ForceAtlas2 is still moving nodes (the browser tests wait for it to settle). */
  layoutRunning(): boolean {
    return this.layout?.isRunning() ?? false;
  }

  /** Viewport position of a node, for keyboard focus and the browser tests. */
  viewportOf(account: string): { x: number; y: number } | null {
    const id = nodeKey(account);
    if (!this.graph.hasNode(id)) return null;
    const { x, y } = this.graph.getNodeAttributes(id) as { x: number; y: number };
    return this.sigma.graphToViewport({ x, y });
  }

  kill(): void {
    window.clearTimeout(this.stopTimer);
    window.clearTimeout(this.lodTimer);
    this.sigma.getCamera().off('updated', this.onCamera);
    this.layout?.kill();
    this.sigma.kill();
  }
}
