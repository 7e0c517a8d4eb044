import { api, download } from '../api.js';
import type { Page } from '../main.js';
import type { BlacklistEntry, BlacklistVersion } from '../types.js';
import { clear, empty, errorBox, fmt, h, loading } from '../ui.js';

export function blacklistPage(root: HTMLElement): Page {
  const head = h('section', {}, loading());
  const diff = h('section', { class: 'diff', 'aria-live': 'polite' });
  const versions = h('section');
  clear(root, h('h1', { text: 'Blacklist' }), head, diff, versions);
  let disposed = false;

  (async () => {
    try {
      const v = await api<{ servedVersion: number | null; pinnedVersion: number | null; items: BlacklistVersion[] }>(
        '/v1/blacklist/versions?limit=100',
      );
      if (disposed) return;
      if (v.servedVersion === null) {
        clear(head, empty('No version is served yet: run a recompute first.'));
        return;
      }
      const served = v.items.find((x) => x.version === v.servedVersion);
      const dl = (format: 'csv' | 'json' | 'spreadsheet') =>
        h('button', {
          type: 'button',
          text: format === 'spreadsheet' ? 'Download CSV for spreadsheets' : `Download ${format.toUpperCase()}`,
          title:
            format === 'spreadsheet'
              ? 'Account ids starting with = + - @ get a leading quote so a spreadsheet cannot run them as formulas; not for gateways'
              : '',
          on: {
            click: () =>
              void download(
                format === 'spreadsheet' ? '/v1/blacklist?format=csv&spreadsheet=true' : `/v1/blacklist?format=${format}`,
                format === 'spreadsheet' ? `blacklist-v${v.servedVersion}-spreadsheet.csv` : `blacklist-v${v.servedVersion}.${format}`,
              ).catch((err) => head.append(errorBox(err))),
          },
        });
      clear(
        head,
        h('p', {
          class: 'served',
          text: `Served: version ${v.servedVersion}${v.pinnedVersion ? ` (pinned)` : ''} — ${served?.count ?? '?'} accounts, from ${served?.source ?? '?'} ${served?.runId ?? ''}`,
        }),
        dl('csv'),
        ' ',
        dl('spreadsheet'),
        ' ',
        dl('json'),
      );
      const earlier = v.items.filter((x) => x.version < v.servedVersion!);
      const select = h(
        'select',
        { id: 'since', name: 'since' },
        ...earlier.map((x) => h('option', { value: x.version, text: `v${x.version} (${x.count} accounts, ${x.status})` })),
      );
      const form = h(
        'form',
        { class: 'inline', 'aria-label': 'Compare with an earlier version' },
        h('label', { for: 'since', text: 'Compare with ' }),
        select,
        h('button', { type: 'submit', text: 'Show changes' }),
      );
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clear(diff, loading());
        try {
          const d = await api<{ fromVersion: number; toVersion: number; added: BlacklistEntry[]; removed: string[] }>(
            `/v1/blacklist?since=${select.value}`,
          );
          clear(
            diff,
            h('h2', { text: `v${d.fromVersion} → v${d.toVersion}: ${d.added.length} added or changed, ${d.removed.length} removed` }),
            d.added.length
              ? h(
                  'table',
                  { class: 'compact' },
                  h('caption', { text: 'Added or changed' }),
                  h('thead', {}, h('tr', {}, ...['Account', 'Cluster', 'Score', 'Reasons'].map((t) => h('th', { scope: 'col', text: t })))),
                  h(
                    'tbody',
                    {},
                    ...d.added.map((x) =>
                      h(
                        'tr',
                        {},
                        h('td', {}, h('a', { href: `#/accounts/${encodeURIComponent(x.accountId)}`, text: x.accountId })),
                        h('td', { text: x.clusterId ?? '–' }),
                        h('td', { class: 'num', text: fmt.score(x.score) }),
                        h('td', { class: 'reasons', text: x.reasons.join('; ') }),
                      ),
                    ),
                  ),
                )
              : null,
            d.removed.length ? h('p', { class: 'removed', text: `Removed: ${d.removed.join(', ')}` }) : null,
          );
        } catch (err) {
          clear(diff, errorBox(err));
        }
      });
      if (earlier.length) head.append(form);
      clear(
        versions,
        h('h2', { text: 'Versions' }),
        h(
          'table',
          { class: 'compact' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Version', 'Status', 'Entries', 'Added', 'Removed', 'Source', 'Created', 'Held because'].map((t) =>
                h('th', { scope: 'col', text: t }),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...v.items.map((x) =>
              h(
                'tr',
                {},
                h('td', { text: `v${x.version}${x.pinned ? ' (pinned)' : ''}` }),
                h('td', { text: x.status }),
                h('td', { class: 'num', text: x.count }),
                h('td', { class: 'num', text: x.added ?? '–' }),
                h('td', { class: 'num', text: x.removed ?? '–' }),
                h('td', { text: `${x.source}${x.runId ? ` ${x.runId}` : ''}` }),
                h('td', { text: fmt.date(x.createdAt) }),
                h('td', { text: x.status === 'held' && x.guard ? String((x.guard as { reason?: string }).reason ?? '') : '' }),
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      if (!disposed) clear(head, errorBox(err));
    }
  })();
  return { dispose: () => (disposed = true) };
}
