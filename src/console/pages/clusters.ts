import { api } from '../api.js';
import type { Page } from '../main.js';
import type { ClusterSummary } from '../types.js';
import { clear, empty, errorBox, fmt, h, loading } from '../ui.js';

const TYPES = ['', 'ring', 'fan_in', 'fan_out', 'layering', 'dense_clique', 'benign_hub_like', 'mixed'];

export function clustersPage(root: HTMLElement, params: URLSearchParams): Page {
  const state = {
    minRisk: params.get('minRisk') ?? '0',
    type: params.get('type') ?? '',
    minSize: params.get('minSize') ?? '2',
    sort: params.get('sort') ?? 'risk',
  };
  const field = (label: string, control: HTMLElement) => h('label', {}, `${label} `, control);
  const minRisk = h('input', { type: 'number', min: 0, max: 1, step: 0.05, value: state.minRisk, name: 'minRisk' });
  const type = h(
    'select',
    { name: 'type' },
    ...TYPES.map((t) => h('option', { value: t, selected: t === state.type, text: t || 'any type' })),
  );
  const minSize = h('input', { type: 'number', min: 1, value: state.minSize, name: 'minSize' });
  const sort = h(
    'select',
    { name: 'sort' },
    ...['risk', 'size', 'id'].map((s) => h('option', { value: s, selected: s === state.sort, text: `by ${s}` })),
  );
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter clusters' },
    field('Min risk', minRisk),
    field('Type', type),
    field('Min size', minSize),
    field('Sort', sort),
    h('button', { type: 'submit', text: 'Apply' }),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ minRisk: minRisk.value, type: type.value, minSize: minSize.value, sort: sort.value });
    location.hash = `#/clusters?${q}`;
  });
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'clusters' },
    h('caption', { text: 'Clusters of the served run' }),
    h(
      'thead',
      {},
      h('tr', {}, ...['Cluster', 'Risk', 'Type', 'Size', 'Listed', 'New', 'Reasons'].map((t) => h('th', { scope: 'col', text: t }))),
    ),
    body,
  );
  const status = h('div', {}, loading());
  const more = h('button', { type: 'button', text: 'Load more', hidden: true });
  clear(root, h('h1', { text: 'Clusters' }), form, status, table, more);

  let cursor: string | null = null;
  let disposed = false;
  async function load() {
    const q = new URLSearchParams({ minRisk: state.minRisk || '0', minSize: state.minSize || '1', sort: state.sort, limit: '50' });
    if (state.type) q.set('type', state.type);
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await api<{ runId: string; items: ClusterSummary[]; nextCursor: string | null }>(`/v1/clusters?${q}`);
      if (disposed) return;
      clear(status);
      if (!page.items.length && !body.children.length) clear(status, empty('No cluster matches these filters.'));
      for (const c of page.items) {
        body.append(
          h(
            'tr',
            { class: c.score >= 0.5 ? 'risky' : '' },
            h('td', {}, h('a', { href: `#/clusters/${c.clusterId}`, text: c.clusterId })),
            h('td', { class: 'num', text: fmt.score(c.score) }),
            h('td', { text: c.type }),
            h('td', { class: 'num', text: c.size }),
            h('td', { class: 'num', text: c.listed ?? 0 }),
            h('td', { text: c.isNew ? 'new' : '' }),
            h('td', { class: 'reasons', text: c.reasons.join('; ') }),
          ),
        );
      }
      cursor = page.nextCursor;
      more.hidden = !cursor;
    } catch (err) {
      if (!disposed) clear(status, errorBox(err));
    }
  }
  more.addEventListener('click', () => void load());
  void load();
  return { dispose: () => (disposed = true) };
}
