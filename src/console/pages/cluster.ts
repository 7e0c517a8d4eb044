import { api, exportCase } from '../api.js';
import { legend, reasonList, timeAndDetailKeys } from '../evidence.js';
import { GraphView } from '../graph-view.js';
import type { Page } from '../main.js';
import type { ClusterDetail, Neighborhood } from '../types.js';
import { caseButtons, clear, errorBox, facts, fmt, h, loading, roleBadge } from '../ui.js';
import { renderAccountPanel } from './account-panel.js';
import { timeSlider, type TimeSlider } from '../time-slider.js';

declare global {
  interface Window {
    /** For the browser tests: the live graph view. */
    acctnetGraph?: GraphView;
  }
}

export function clusterPage(root: HTMLElement, clusterId: string, selected: string | null): Page {
  const canvas = h('div', { class: 'graph', role: 'img', 'aria-label': `Graph of cluster ${clusterId}` });
  const tooltip = h('div', { class: 'tooltip', hidden: true });
  const panel = h('aside', { class: 'panel', 'aria-live': 'polite' }, loading());
  const members = h('div', { class: 'members' });
  const timeSlot = h('div');
  clear(
    root,
    h(
      'div',
      { class: 'cluster-layout' },
      h('section', { class: 'graph-wrap' }, canvas, timeSlot, legend(timeAndDetailKeys(true)), tooltip, members),
      panel,
    ),
  );
  let view: GraphView | undefined;
  let slider: TimeSlider | undefined;
  let closePanel: (() => void) | undefined;
  let detail: ClusterDetail | undefined;

  const showCluster = () => {
    if (!detail) return;
    const c = detail.cluster;
    clear(
      panel,
      h('h1', { text: `Cluster ${c.clusterId}` }),
      facts([
        ['Risk', h('strong', { text: fmt.score(c.score) })],
        ['Type', c.type],
        ['Members', c.size],
        ['Listed', c.listed ?? 0],
        ['New', c.isNew ? 'yes' : 'no'],
      ]),
      caseButtons((format) => exportCase('clusters', c.clusterId, format)),
      h('h3', { text: 'Why' }),
      reasonList(c.explanations ?? [], (id) => h('button', { type: 'button', class: 'link', text: id, on: { click: () => select(id) } })),
      h('ul', {}, ...c.notes.map((n) => h('li', { text: n }))),
      h('h3', { text: 'Evidence' }),
      h('p', {
        class: 'evidence',
        text: Object.entries(c.evidence)
          .map(([k, v]) => `${k}: ${v}`)
          .join(' · '),
      }),
      h('h3', { text: 'History' }),
      h('ul', {}, ...detail.history.map((x) => h('li', { text: `${x.runId}: ${x.size} members, ${x.type}, risk ${fmt.score(x.score)}` }))),
      h('p', { class: 'hint', text: 'Click an account in the graph or the list to open it.' }),
    );
  };

  const select = (id: string) => {
    closePanel?.();
    view?.select(id);
    history.replaceState(null, '', `#/clusters/${clusterId}?account=${encodeURIComponent(id)}`);
    closePanel = renderAccountPanel(panel, id, {
      onLabel: (acct, label) => view?.setLabel(acct, label),
      onExpand: (acct) => void expand(acct),
      onPick: (acct) => {
        if (!view?.graph.hasNode(acct)) return false;
        select(acct);
        return true;
      },
    });
  };

  async function expand(accountId: string) {
    try {
      const n = await api<Neighborhood>(`/v1/accounts/${encodeURIComponent(accountId)}/neighborhood?hops=1&limit=150`);
      view?.add(
        n.nodes.map((x) => ({ id: x.id, role: x.role, score: x.score, label: x.label })),
        n.edges,
        accountId,
      );
      slider?.refresh();
    } catch (err) {
      panel.prepend(errorBox(err));
    }
  }

  (async () => {
    try {
      detail = await api<ClusterDetail>(`/v1/clusters/${encodeURIComponent(clusterId)}`);
    } catch (err) {
      clear(panel, errorBox(err));
      canvas.remove();
      return;
    }
    try {
      view = new GraphView(canvas, tooltip, select);
    } catch (err) {
      // sigma needs WebGL: say so instead of leaving an empty box.
      canvas.replaceWith(
        errorBox(
          new Error(`This browser cannot draw the graph (WebGL is unavailable: ${(err as Error).message}). The members are listed below.`),
        ),
      );
    }
    if (view) {
      window.acctnetGraph = view;
      try {
        view.add(detail.graph.nodes, detail.graph.edges);
        slider = timeSlider(view);
        timeSlot.replaceWith(slider.el);
      } catch (err) {
        // Whatever the graph cannot draw, the members below are still listed.
        canvas.replaceWith(errorBox(new Error(`The graph could not be drawn (${(err as Error).message}). The members are listed below.`)));
      }
    }
    clear(
      members,
      h('h2', { text: `Members (${detail.page.members}${detail.page.pages > 1 ? `, first ${detail.members.length} by PageRank` : ''})` }),
      h(
        'ul',
        { class: 'member-list' },
        ...detail.members.map((m) =>
          h(
            'li',
            {},
            h('button', { type: 'button', class: 'link', text: m.accountId, on: { click: () => select(m.accountId) } }),
            ' ',
            roleBadge(m.role),
            ` risk ${fmt.score(m.score)}`,
            m.label ? ` · ${m.label}` : '',
          ),
        ),
      ),
    );
    if (selected && (view?.graph.hasNode(selected) || detail.members.some((m) => m.accountId === selected))) select(selected);
    else showCluster();
  })();

  return {
    dispose: () => {
      closePanel?.();
      slider?.dispose();
      view?.kill();
      if (window.acctnetGraph === view) window.acctnetGraph = undefined;
    },
  };
}
