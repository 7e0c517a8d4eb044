// Shared pieces of the evidence view: the graph legend and reasons in words with their accounts.
import type { ReasonExplanation } from './types.js';
import { h, ROLE_COLORS } from './ui.js';

/** What the graph's colours, sizes, rings and widths mean (under every graph). */
export function legend(extra: Array<[HTMLElement, string]> = []): HTMLElement {
  const swatch = (style: string, cls = 'swatch') => h('span', { class: cls, style, 'aria-hidden': 'true' });
  const item = (mark: HTMLElement, text: string) => h('li', {}, mark, ` ${text}`);
  return h(
    'figure',
    { class: 'legend', 'aria-label': 'Legend' },
    h('figcaption', { text: 'Legend' }),
    h(
      'ul',
      {},
      ...Object.entries(ROLE_COLORS).map(([role, color]) => item(swatch(`background:${color}`), role.replace('_', ' '))),
      item(swatch('background:#bbb'), 'not analysed'),
      item(swatch('', 'swatch size'), 'size = PageRank'),
      item(swatch('', 'swatch ring'), 'red ring = labelled fraud'),
      item(swatch('', 'swatch edge'), 'edge width = amount (log), arrow = direction'),
      ...extra.map(([mark, text]) => item(mark, text)),
    ),
  );
}

/** Legend lines for the graphs with the time slider and the level of detail. */
export function timeAndDetailKeys(grouping: boolean): Array<[HTMLElement, string]> {
  const swatch = (color: string) => h('span', { class: 'swatch', style: `background:${color}`, 'aria-hidden': 'true' });
  const keys: Array<[HTMLElement, string]> = [[swatch('#e4e7ec'), 'pale = no transfer in the time range']];
  if (grouping) keys.push([swatch('#c3c9d3'), 'grey "N accounts" = accounts grouped until you zoom in (large graphs; click to zoom)']);
  return keys;
}

/** Reasons in words; each account behind a reason is a link (`link` decides where it goes). */
export function reasonList(
  explanations: ReasonExplanation[],
  link: (accountId: string) => HTMLElement,
  clusterLink?: (id: string) => HTMLElement,
): HTMLElement {
  return h(
    'ul',
    { class: 'reasons' },
    ...explanations.map((r) =>
      h(
        'li',
        { dataset: { code: r.code } },
        h('span', { class: 'reason-text', text: r.text }),
        r.clusterId && clusterLink ? h('span', {}, ' ', clusterLink(r.clusterId)) : null,
        r.accounts.length
          ? h(
              'ul',
              { class: 'behind' },
              ...r.accounts.map((a) => h('li', {}, link(a.accountId), h('span', { class: 'hint', text: ` — ${a.detail}` }))),
            )
          : null,
        h('code', { class: 'code', title: 'the stored reason, as gateways receive it', text: r.reason }),
      ),
    ),
  );
}
