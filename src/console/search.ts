// The header's "Find account" field: suggestions by id prefix (listed / labelled / cluster each),
// Enter opens the account; a pasted list of ids (one per line) opens the Find list page with it.
import { api } from './api.js';
import type { AccountSummary } from './types.js';
import { fmt, h } from './ui.js';

/** Ids pasted into the header, handed to the Find list page. */
export const pastedIds = { value: '' };

export function splitIds(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\r\n,;\t]+/)
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ];
}

export function summaryWords(s: AccountSummary): string {
  const parts = [s.listed ? 'listed' : 'not listed'];
  if (s.label) parts.push(`labelled ${s.label}`);
  parts.push(s.clusterId ? `cluster ${s.clusterId}` : 'no cluster');
  if (s.score !== null) parts.push(`risk ${fmt.score(s.score)}`);
  return parts.join(' · ');
}

export function searchBox(): HTMLElement {
  const listId = 'find-suggestions';
  const input = h('input', {
    type: 'search',
    class: 'find',
    placeholder: 'Find account (id prefix, or paste a list)',
    'aria-label': 'Find account',
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'suggestions', hidden: true, 'aria-label': 'Accounts found' });
  const status = h('span', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  let items: AccountSummary[] = [];
  let active = -1;
  let timer: number | undefined;
  let asked = 0;

  const open = (id: string) => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.value = '';
    location.hash = `#/accounts/${encodeURIComponent(id)}`;
  };
  const render = () => {
    list.replaceChildren(
      ...items.map((s, k) =>
        h(
          'li',
          {
            id: `${listId}-${k}`,
            role: 'option',
            'aria-selected': k === active ? 'true' : 'false',
            class: s.listed ? 'listed-item' : '',
            on: {
              mousedown: (e: Event) => {
                e.preventDefault();
                open(s.accountId);
              },
            },
          },
          h('strong', { text: s.accountId }),
          h('span', { class: 'hint', text: ` ${summaryWords(s)}` }),
        ),
      ),
    );
    list.hidden = items.length === 0;
    input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
    if (active >= 0) input.setAttribute('aria-activedescendant', `${listId}-${active}`);
    else input.removeAttribute('aria-activedescendant');
  };
  const suggest = async () => {
    const prefix = input.value.trim();
    const ask = ++asked;
    if (!prefix || /[\r\n]/.test(prefix)) {
      items = [];
      render();
      return;
    }
    try {
      const r = await api<{ items: AccountSummary[] }>(`/v1/accounts?prefix=${encodeURIComponent(prefix)}&limit=8`);
      if (ask !== asked) return;
      items = r.items;
      active = items.length ? 0 : -1;
      status.textContent = items.length ? `${items.length} accounts found` : 'No account starts with that';
      render();
    } catch (err) {
      if (ask !== asked) return;
      items = [];
      status.textContent = err instanceof Error ? err.message : String(err);
      render();
    }
  };
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void suggest(), 150);
  });
  input.addEventListener('paste', (e: ClipboardEvent) => {
    const text = e.clipboardData?.getData('text') ?? '';
    if (splitIds(text).length < 2) return;
    e.preventDefault();
    pastedIds.value = text;
    input.value = '';
    if (location.hash.startsWith('#/find')) window.dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = '#/find';
  });
  input.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!items.length) return;
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      render();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const typed = input.value.trim();
      const exact = items.find((s) => s.accountId === typed);
      const pick = exact ?? items[active];
      if (pick) open(pick.accountId);
      else if (typed) open(typed);
    } else if (e.key === 'Escape') {
      items = [];
      render();
    }
  });
  input.addEventListener('blur', () => window.setTimeout(() => ((list.hidden = true), input.setAttribute('aria-expanded', 'false')), 150));
  return h('div', { class: 'find-box', role: 'search' }, input, list, status);
}
