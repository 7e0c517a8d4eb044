// A pasted list of account ids → one row each: listed?, score, cluster, label (a gateway team's daily question).
import { api } from '../api.js';
import type { Page } from '../main.js';
import { pastedIds, splitIds } from '../search.js';
import type { AccountSummary } from '../types.js';
import { clear, errorBox, fmt, h, loading, roleBadge } from '../ui.js';

/** The API answers at most this many ids at once (POST /v1/accounts/lookup). */
const MAX_IDS = 1000;

export function findPage(root: HTMLElement): Page {
  const text = h('textarea', { id: 'find-ids', rows: 8, cols: 40, name: 'ids', spellcheck: 'false', placeholder: 'AC000123\nAC000456\n…' });
  const out = h('div', { class: 'find-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'find-list', 'aria-label': 'Look up a list of accounts' },
    h('label', { for: 'find-ids', text: 'Account ids, one per line (commas, tabs and semicolons also separate)' }),
    text,
    h('div', {}, h('button', { type: 'submit', text: 'Look up' })),
  );
  clear(root, h('h1', { text: 'Find a list of accounts' }), form, out);

  const lookUp = async () => {
    const ids = splitIds(text.value);
    if (!ids.length) {
      clear(out, errorBox(new Error('Paste at least one account id.')));
      return;
    }
    if (ids.length > MAX_IDS) {
      clear(out, errorBox(new Error(`${ids.length} ids: at most ${MAX_IDS} at once — split the list.`)));
      return;
    }
    clear(out, loading(`Looking up ${ids.length} accounts…`));
    try {
      const { items } = await api<{ items: Array<AccountSummary & { found: boolean }> }>('/v1/accounts/lookup', {
        method: 'POST',
        body: { ids },
      });
      const listed = items.filter((i) => i.listed).length;
      const unknown = items.filter((i) => !i.found).length;
      clear(
        out,
        h('p', { text: `${items.length} accounts: ${listed} listed, ${unknown} unknown.` }),
        h(
          'table',
          { class: 'lookup' },
          h('caption', { text: 'Accounts looked up' }),
          h(
            'thead',
            {},
            h('tr', {}, ...['Account', 'Listed', 'Risk', 'Role', 'Cluster', 'Label'].map((t) => h('th', { scope: 'col', text: t }))),
          ),
          h(
            'tbody',
            {},
            ...items.map((i) =>
              h(
                'tr',
                { class: i.listed ? 'risky' : '' },
                h('td', {}, i.found ? h('a', { href: `#/accounts/${encodeURIComponent(i.accountId)}`, text: i.accountId }) : i.accountId),
                h('td', { class: i.listed ? 'listed' : '', text: !i.found ? 'unknown account' : i.listed ? 'listed' : 'no' }),
                h('td', { class: 'num', text: fmt.score(i.score) }),
                h('td', {}, i.role ? roleBadge(i.role) : '–'),
                h('td', {}, i.clusterId ? h('a', { href: `#/clusters/${i.clusterId}`, text: i.clusterId }) : '–'),
                h('td', { text: i.label ?? '–' }),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      clear(out, errorBox(err));
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void lookUp();
  });
  if (pastedIds.value) {
    text.value = splitIds(pastedIds.value).join('\n');
    pastedIds.value = '';
    void lookUp();
  }
  return {};
}
