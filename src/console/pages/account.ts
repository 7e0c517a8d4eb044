// An account on its own: jumps to its cluster when it has one (the graph is the better view);
// otherwise its neighbourhood (two hops, strongest relations first) as a graph with the time slider
// beside its panel.
import { api } from '../api.js';
import { legend, timeAndDetailKeys } from '../evidence.js';
import { GraphView } from '../graph-view.js';
import type { Page } from '../main.js';
import { timeSlider, type TimeSlider } from '../time-slider.js';
import type { AccountDetail, Neighborhood } from '../types.js';
import { clear, errorBox, h, loading } from '../ui.js';
import { renderAccountPanel } from './account-panel.js';

export function accountPage(root: HTMLElement, accountId: string): Page {
  clear(root, loading());
  let close: (() => void) | undefined;
  let view: GraphView | undefined;
  let slider: TimeSlider | undefined;
  let disposed = false;
  (async () => {
    try {
      const d = await api<AccountDetail>(`/v1/accounts/${encodeURIComponent(accountId)}`);
      if (d.clusterId) {
        location.replace(`#/clusters/${d.clusterId}?account=${encodeURIComponent(accountId)}`);
        return;
      }
      const panel = h('aside', { class: 'panel', 'aria-live': 'polite' });
      const canvas = h('div', { class: 'graph', role: 'img', 'aria-label': `Neighbourhood of account ${accountId}` });
      const tooltip = h('div', { class: 'tooltip', hidden: true });
      const status = h('p', { class: 'hint' }, loading('Loading the neighbourhood…'));
      const wrap = h(
        'section',
        { class: 'graph-wrap', 'aria-label': 'Neighbourhood' },
        canvas,
        legend(timeAndDetailKeys(false)),
        tooltip,
        status,
      );
      clear(root, h('div', { class: 'cluster-layout' }, wrap, panel));
      const show = (id: string) => {
        close?.();
        view?.select(id);
        close = renderAccountPanel(panel, id, {
          onLabel: (acct, label) => view?.setLabel(acct, label),
          onPick: (acct) => {
            if (!view?.graph.hasNode(acct)) return false;
            show(acct);
            return true;
          },
        });
      };
      show(accountId);
      const n = await api<Neighborhood>(`/v1/accounts/${encodeURIComponent(accountId)}/neighborhood?hops=2&limit=150`);
      if (disposed) return;
      if (n.edges.length === 0) {
        canvas.remove();
        clear(status, 'No transfers with other accounts in the served window.');
        return;
      }
      try {
        view = new GraphView(canvas, tooltip, show);
      } catch (err) {
        canvas.replaceWith(errorBox(new Error(`This browser cannot draw the graph (WebGL is unavailable: ${(err as Error).message}).`)));
        return;
      }
      window.acctnetGraph = view;
      view.add(
        n.nodes.map((x) => ({ id: x.id, role: x.role, score: x.score, label: x.label })),
        n.edges,
      );
      view.select(accountId);
      slider = timeSlider(view);
      canvas.after(slider.el);
      clear(status, `${n.nodes.length} accounts within two hops${n.truncated ? ' (the strongest relations only: more exist)' : ''}.`);
    } catch (err) {
      clear(root, errorBox(err));
    }
  })();
  return {
    dispose: () => {
      disposed = true;
      close?.();
      slider?.dispose();
      view?.kill();
      if (window.acctnetGraph === view) window.acctnetGraph = undefined;
    },
  };
}
