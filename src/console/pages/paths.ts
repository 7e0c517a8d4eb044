// Money paths between two accounts: the strongest chains of transfers in time order, drawn left to
// right with each transfer's amount and date, and listed beside the graph.
import { api } from '../api.js';
import { legend } from '../evidence.js';
import { GraphView } from '../graph-view.js';
import type { Page } from '../main.js';
import { summaryWords } from '../search.js';
import type { MoneyPaths } from '../types.js';
import { clear, empty, errorBox, fmt, h, loading } from '../ui.js';

const STRONGEST = '#1f5fbf';
const OTHER = '#74a0e0';

export function pathsPage(root: HTMLElement, params: URLSearchParams): Page {
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const hops = params.get('hops') ?? '4';
  const field = (label: string, control: HTMLElement) => h('label', {}, `${label} `, control);
  const fromInput = h('input', { name: 'from', value: from, required: true, maxlength: 1024 });
  const toInput = h('input', { name: 'to', value: to, required: true, maxlength: 1024 });
  const hopsSelect = h(
    'select',
    { name: 'hops' },
    ...['1', '2', '3', '4', '5', '6'].map((n) => h('option', { value: n, selected: n === hops, text: `${n} hops` })),
  );
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Money paths between two accounts' },
    field('From', fromInput),
    field('To', toInput),
    field('Within', hopsSelect),
    h('button', { type: 'submit', text: 'Find paths' }),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ from: fromInput.value.trim(), to: toInput.value.trim(), hops: hopsSelect.value });
    location.hash = `#/paths?${q}`;
  });
  const canvas = h('div', { class: 'graph', role: 'img', 'aria-label': `Money paths from ${from} to ${to}` });
  const tooltip = h('div', { class: 'tooltip', hidden: true });
  const side = h('aside', { class: 'panel', 'aria-live': 'polite' });
  clear(root, h('h1', { text: 'Money paths' }), form);
  if (!from || !to) {
    root.append(h('p', { class: 'hint', text: 'Give two accounts: the paths money took from the first to the second, strongest first.' }));
    return {};
  }
  const layout = h('div', { class: 'paths-layout' }, h('section', { class: 'graph-wrap' }, canvas, tooltip), side);
  root.append(layout);
  clear(side, loading(`Following money from ${from} to ${to}…`));
  let view: GraphView | undefined;

  (async () => {
    let r: MoneyPaths;
    try {
      r = await api<MoneyPaths>(
        `/v1/accounts/${encodeURIComponent(from)}/paths?to=${encodeURIComponent(to)}&hops=${encodeURIComponent(hops)}&paths=5`,
      );
    } catch (err) {
      clear(side, errorBox(err));
      canvas.remove();
      return;
    }
    const window_ = `${fmt.date(r.window.since)} – ${fmt.date(r.window.until)}`;
    if (!r.paths.length) {
      canvas.remove();
      clear(
        side,
        empty(
          `No money path from ${from} to ${to} within ${r.hops} hops between ${window_}${r.truncated ? ' (the search hit a bound: try fewer hops)' : ''}.`,
        ),
      );
      return;
    }
    const summary = new Map(r.accounts.map((a) => [a.accountId, a]));
    const nodes = new Map<string, { x: number; y: number }>();
    r.paths.forEach((p, row) =>
      p.accounts.forEach((id, k) => {
        if (!nodes.has(id)) nodes.set(id, { x: (k / (p.accounts.length - 1)) * 100, y: -row * 18 + (k % 2) * 4 });
      }),
    );
    const edges = new Map<string, { source: string; target: string; count: number; amount: number; text: string; color: string }>();
    r.paths.forEach((p, row) =>
      p.transfers.forEach((t) => {
        const key = `${t.source}\u0000${t.target}`;
        if (edges.has(key)) return;
        edges.set(key, {
          source: t.source,
          target: t.target,
          count: 1,
          amount: t.baseAmount,
          text: `${fmt.money(t.amount)} ${t.currency} · ${t.at.slice(0, 10)}`,
          color: row === 0 ? STRONGEST : OTHER,
        });
      }),
    );
    try {
      view = new GraphView(canvas, tooltip, (id) => (location.hash = `#/accounts/${encodeURIComponent(id)}`), { edgeLabels: true });
      window.acctnetGraph = view;
      view.add(
        [...nodes].map(([id, p]) => {
          const s = summary.get(id);
          return { id, role: s?.role ?? null, score: s?.score ?? null, label: s?.label ?? null, x: p.x, y: p.y };
        }),
        [...edges.values()],
        undefined,
        { layout: false },
      );
      canvas.after(
        legend([
          [h('span', { class: 'swatch path', style: `background:${STRONGEST}`, 'aria-hidden': 'true' }), 'the strongest path'],
          [h('span', { class: 'swatch path', style: `background:${OTHER}`, 'aria-hidden': 'true' }), 'other paths (label: amount · date)'],
        ]),
      );
    } catch (err) {
      canvas.replaceWith(errorBox(new Error(`This browser cannot draw the graph (WebGL is unavailable: ${(err as Error).message}).`)));
    }
    const link = (id: string) => h('a', { href: `#/accounts/${encodeURIComponent(id)}`, text: id });
    clear(
      side,
      h('h2', { text: `${from} → ${to}` }),
      h('p', {
        class: 'hint',
        text: `Strongest first: a path's strength is its smallest transfer (${r.baseCurrency}), the most money that can have gone the whole way. Each transfer leaves no earlier than the one before it arrived. Transfers ${window_}.${r.truncated ? ` A bound was hit (${r.truncatedBy.join(', ')}): stronger paths may exist.` : ''}`,
      }),
      h(
        'ol',
        { class: 'paths' },
        ...r.paths.map((p, k) =>
          h(
            'li',
            { dataset: { path: String(k) } },
            h('strong', { text: `${fmt.money(p.strength)} ${r.baseCurrency}` }),
            ` through ${p.transfers.length} transfer${p.transfers.length === 1 ? '' : 's'}`,
            h(
              'table',
              { class: 'compact path-transfers' },
              h('thead', {}, h('tr', {}, ...['Date', 'From', 'To', 'Amount'].map((t) => h('th', { scope: 'col', text: t })))),
              h(
                'tbody',
                {},
                ...p.transfers.map((t) =>
                  h(
                    'tr',
                    {},
                    h('td', { class: 'date', text: fmt.date(t.at) }),
                    h('td', {}, link(t.source)),
                    h('td', {}, link(t.target)),
                    h('td', { class: 'num', text: `${fmt.money(t.amount)} ${t.currency}` }),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
      h('h3', { text: 'Accounts on the paths' }),
      h('ul', {}, ...r.accounts.map((a) => h('li', {}, link(a.accountId), h('span', { class: 'hint', text: ` ${summaryWords(a)}` })))),
    );
  })();

  return {
    dispose: () => {
      view?.kill();
      if (window.acctnetGraph === view) window.acctnetGraph = undefined;
    },
  };
}
