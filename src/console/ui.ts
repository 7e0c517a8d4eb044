// Small DOM helpers: the console is plain TypeScript, no framework.
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, unknown> & {
  class?: string;
  text?: string | number;
  on?: Record<string, (e: Event) => void>;
  dataset?: Record<string, string>;
};

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'on') for (const [event, fn] of Object.entries(v as Record<string, (e: Event) => void>)) el.addEventListener(event, fn);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

export const fmt = {
  score: (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(2)),
  money: (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: 2 })),
  date: (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 16) : '–'),
  pct: (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`),
  ms: (x: number | null | undefined) => (x === null || x === undefined ? '–' : x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${x} ms`),
};

export function loading(text = 'Loading…'): HTMLElement {
  return h('p', { class: 'state loading', role: 'status', 'aria-live': 'polite', text });
}

export function empty(text: string): HTMLElement {
  return h('p', { class: 'state empty', text });
}

export function errorBox(err: unknown): HTMLElement {
  const message = err instanceof Error ? err.message : String(err);
  return h('p', { class: 'state error', role: 'alert', text: message });
}

/** A labelled definition list from pairs. */
export function facts(pairs: Array<[string, Child]>): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of pairs) append(dl, h('dt', { text: k }), h('dd', {}, v ?? '–'));
  return dl;
}

export const ROLE_COLORS: Record<string, string> = {
  hub: '#7f8c8d',
  pass_through: '#e67e22',
  collector: '#8e44ad',
  distributor: '#2980b9',
  leaf: '#95a5a6',
  regular: '#27ae60',
};

export function roleBadge(role: string | null | undefined): HTMLElement {
  return h('span', { class: 'badge', style: `background:${ROLE_COLORS[role ?? ''] ?? '#bbb'}`, text: role ?? '–' });
}

/** The audit entry an action created, shown to the investigator who acted. */
export function auditNote(audit: {
  id: string;
  at: string;
  action: string;
  target: string;
  actor: { name: string; role: string };
}): HTMLElement {
  return h('p', {
    class: 'audit',
    role: 'status',
    text: `Recorded ${audit.action} on ${audit.target} by ${audit.actor.name} (${audit.actor.role}) at ${fmt.date(audit.at)} — audit ${audit.id}`,
  });
}

/** "Export case" buttons: JSON file and printable page; the result line names the audit entry. */
export function caseButtons(run: (format: 'json' | 'html') => Promise<string>): HTMLElement {
  const out = h('span', { class: 'case-result', role: 'status', 'aria-live': 'polite' });
  const button = (format: 'json' | 'html', text: string) =>
    h('button', {
      type: 'button',
      text,
      on: {
        click: async () => {
          out.textContent = 'Exporting…';
          try {
            const audit = await run(format);
            out.textContent = `${format === 'json' ? 'Case file saved' : 'Printable case opened in a new tab'} — audit ${audit}`;
            out.className = 'case-result audit';
          } catch (err) {
            out.textContent = err instanceof Error ? err.message : String(err);
            out.className = 'case-result error';
          }
        },
      },
    });
  return h('div', { class: 'case-actions' }, button('json', 'Export case (JSON)'), button('html', 'Printable case'), out);
}
