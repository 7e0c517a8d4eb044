// The cluster as an interactive graph: sigma.js on graphology (the analysis' graph library),
// ForceAtlas2 in a web worker. Node size by PageRank, colour by role, a red ring for labelled fraud,
// edge width by amount, arrows for direction.
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import Sigma from 'sigma';
import { EdgeArrowProgram } from 'sigma/rendering';
import { createNodeBorderProgram } from '@sigma/node-border';
import { ROLE_COLORS } from './ui.js';

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

  constructor(
    container: HTMLElement,
    private readonly tooltip: HTMLElement,
    onSelect: (id: string) => void,
    opts: { edgeLabels?: boolean } = {},
  ) {
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
        if (this.range && !this.active.has(node)) out = { ...out, color: FADED_NODE, ring: 0, zIndex: -1 } as typeof data;
        if (node === this.selected || node === this.hovered) out = { ...out, highlighted: true, zIndex: 1 };
        return out;
      },
      edgeReducer: (edge, data) => (this.range && !this.edgeInRange(edge) ? { ...data, hidden: true } : data),
    });
    this.sigma.on('clickNode', ({ node }) => onSelect(node));
    this.sigma.on('enterNode', ({ node, event }) => {
      this.hovered = node;
      const a = this.graph.getNodeAttributes(node);
      this.tooltip.textContent = `${node} · ${a.role ?? '–'} · risk ${a.score === null || a.score === undefined ? '–' : Number(a.score).toFixed(2)}${a.fraud ? ' · labelled fraud' : ''}`;
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
  }

  /** Adds nodes and edges (existing ones are kept), new nodes near `near` if given. */
  add(nodes: ViewNode[], edges: ViewEdge[], near?: string, opts: { layout?: boolean } = {}): void {
    const maxRank = nodes.reduce((m, n) => Math.max(m, n.pagerank ?? 0), 1e-12);
    const origin = near && this.graph.hasNode(near) ? this.graph.getNodeAttributes(near) : { x: 0, y: 0 };
    for (const n of nodes) {
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
      if (this.graph.hasNode(n.id)) this.graph.mergeNodeAttributes(n.id, attrs);
      else
        this.graph.addNode(n.id, {
          ...attrs,
          x: n.x ?? (origin.x as number) + (hashUnit(n.id, 1) - 0.5) * 10,
          y: n.y ?? (origin.y as number) + (hashUnit(n.id, 2) - 0.5) * 10,
        });
    }
    for (const e of edges) {
      if (!this.graph.hasNode(e.source) || !this.graph.hasNode(e.target) || this.graph.hasDirectedEdge(e.source, e.target)) continue;
      this.graph.addDirectedEdge(e.source, e.target, {
        size: 0.5 + Math.min(6, Math.log10(1 + (e.amount ?? 0)) * 0.8),
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
    // Large views stay fluid while the camera moves: edges and labels are drawn when it stops.
    const large = this.graph.order > 1000;
    this.sigma.setSetting('hideEdgesOnMove', large);
    this.sigma.setSetting('hideLabelsOnMove', large);
    if (opts.layout === false) this.sigma.refresh();
    else this.runLayout();
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
    if (!this.range) return true;
    const a = this.graph.getEdgeAttributes(edge);
    // An undated relation (none today: both API routes date theirs) is always shown.
    if (typeof a.first !== 'number' || typeof a.last !== 'number') return true;
    return a.first <= this.range.to && a.last >= this.range.from;
  }

  /** How many relations and accounts the current range shows. */
  rangeCounts(): { edges: number; edgesInRange: number; nodes: number; nodesInRange: number } {
    let inRange = 0;
    this.graph.forEachEdge((e) => {
      if (this.edgeInRange(e)) inRange++;
    });
    return { edges: this.graph.size, edgesInRange: inRange, nodes: this.graph.order, nodesInRange: this.range ? this.active.size : this.graph.order };
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

  setLabel(id: string, label: string | null): void {
    if (!this.graph.hasNode(id)) return;
    this.graph.mergeNodeAttributes(id, { fraud: label === 'fraud', ring: label === 'fraud' ? 0.35 : 0 });
  }

  select(id: string | null): void {
    this.selected = id;
    this.sigma.refresh({ skipIndexation: true });
  }

  /** ForceAtlas2 in a worker for a few seconds (longer for larger graphs), then the camera fits. */
  private runLayout(): void {
    this.layout?.kill();
    window.clearTimeout(this.stopTimer);
    const settings = forceAtlas2.inferSettings(this.graph);
    this.layout = new FA2Layout(this.graph, { settings: { ...settings, barnesHutOptimize: this.graph.order > 500 } });
    this.layout.start();
    this.stopTimer = window.setTimeout(() => this.layout?.stop(), Math.min(6000, 1500 + this.graph.order * 2));
  }

  /** Whether ForceAtlas2 is still moving nodes (the browser tests wait for it to settle). */
  layoutRunning(): boolean {
    return this.layout?.isRunning() ?? false;
  }

  /** Viewport position of a node, for keyboard focus and the browser tests. */
  viewportOf(id: string): { x: number; y: number } | null {
    if (!this.graph.hasNode(id)) return null;
    const { x, y } = this.graph.getNodeAttributes(id) as { x: number; y: number };
    return this.sigma.graphToViewport({ x, y });
  }

  kill(): void {
    window.clearTimeout(this.stopTimer);
    this.layout?.kill();
    this.sigma.kill();
  }
}
