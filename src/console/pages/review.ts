// The review list: accounts whose only evidence is the learned or anomaly score (not served to
// gateways). Each shows its reasons in words; confirm labels it fraud, reject labels it legit —
// both through POST /v1/labels, which writes the audit entry shown in the row.
import { api } from '../api.js';
import { reasonList } from '../evidence.js';
import type { Page } from '../main.js';
import type { AuditEntry, Label, PendingOverride, ReviewItem } from '../types.js';
import { auditNote, clear, empty, errorBox, fmt, h, loading } from '../ui.js';
import { renderAccountPanel } from './account-panel.js';

/**
 * Dual control (ACCTNET_OVERRIDE_DUAL_CONTROL=exclude): requests to take accounts off the list wait
 * here for a second person. Shown only when there are open requests; the API refuses the
 * requester's own confirmation (403), which the row shows.
 */
function pendingOverrides(): HTMLElement {
  const section = h('section', { class: 'pending-overrides', hidden: true, 'aria-label': 'Unlisting requests awaiting confirmation' });
  const decide = async (p: PendingOverride, verdict: 'confirm' | 'reject', cell: HTMLElement) => {
    const reason = verdict === 'reject' ? prompt('Why reject (or withdraw) this request?') : null;
    if (verdict === 'reject' && !reason) return;
    for (const b of cell.querySelectorAll('button')) (b as HTMLButtonElement).disabled = true;
    try {
      const r = await api<{ pending: PendingOverride; audit: AuditEntry }>(
        `/v1/blacklist/overrides/pending/${encodeURIComponent(p.id)}/${verdict}`,
        { method: 'POST', body: verdict === 'reject' ? { reason } : {} },
      );
      clear(cell, h('strong', { text: r.pending.status }), auditNote(r.audit));
    } catch (err) {
      for (const b of cell.querySelectorAll('button')) (b as HTMLButtonElement).disabled = false;
      cell.append(errorBox(err));
    }
  };
  void api<{ items: PendingOverride[] }>('/v1/blacklist/overrides/pending')
    .then(({ items }) => {
      if (!items.length) return;
      const rows = items.map((p) => {
        const actions = h('td', { class: 'review-actions' });
        actions.append(
          h('button', { type: 'button', text: 'Confirm', on: { click: () => void decide(p, 'confirm', actions) } }),
          ' ',
          h('button', { type: 'button', text: 'Reject', on: { click: () => void decide(p, 'reject', actions) } }),
        );
        return h(
          'tr',
          { dataset: { pending: p.id } },
          h('td', {}, h('a', { href: `#/accounts/${encodeURIComponent(p.accountId)}`, text: p.accountId })),
          h('td', { text: p.action === 'exclude' ? 'keep off the list' : 'remove its include override' }),
          h('td', { text: p.reason }),
          h('td', { text: `${p.requestedBy}, ${fmt.date(p.requestedAt)}` }),
          actions,
        );
      });
      section.hidden = false;
      clear(
        section,
        h('h2', { text: 'Unlisting requests awaiting a second person' }),
        h(
          'table',
          { class: 'pending-requests' },
          h(
            'thead',
            {},
            h('tr', {}, ...['Account', 'Request', 'Reason', 'Requested by', 'Decide'].map((t) => h('th', { scope: 'col', text: t }))),
          ),
          h('tbody', {}, ...rows),
        ),
      );
    })
    .catch(() => {});
  return section;
}

export function reviewPage(root: HTMLElement): Page {
  const pendingSection = pendingOverrides();
  const list = h('section', { class: 'review-list' }, loading());
  const panel = h(
    'aside',
    { class: 'panel', 'aria-live': 'polite' },
    h('p', { class: 'hint', text: 'Open a candidate to see its full evidence here.' }),
  );
  clear(
    root,
    h('h1', { text: 'Review: model-only candidates' }),
    h('p', {
      class: 'hint',
      text: 'Accounts the learned model (or the anomaly score) rates at or above the threshold without network evidence, with at least ACCTNET_REVIEW_MIN_TRANSFERS transfers in the window (3 by default: the model alone does not judge thinner accounts): they are not sent to gateways. Confirm labels the account fraud (the next run lists it); reject labels it legit (its score is capped and the model learns from it).',
    }),
    pendingSection,
    h('div', { class: 'review-layout' }, list, panel),
  );
  let closePanel: (() => void) | undefined;
  let cursor: string | null = null;
  const rows = h('tbody', {});
  const more = h('button', { type: 'button', text: 'Load more', hidden: true });

  const open = (id: string) => {
    closePanel?.();
    closePanel = renderAccountPanel(panel, id);
  };

  const decide = async (item: ReviewItem, label: 'fraud' | 'legit', cell: HTMLElement) => {
    for (const b of cell.querySelectorAll('button')) (b as HTMLButtonElement).disabled = true;
    try {
      const r = await api<{ label: Label; audit: AuditEntry }>('/v1/labels', {
        method: 'POST',
        body: {
          accountId: item.accountId,
          label,
          note: label === 'fraud' ? 'confirmed from the review list' : 'rejected from the review list',
        },
      });
      clear(cell, h('strong', { text: label === 'fraud' ? 'Confirmed (fraud)' : 'Rejected (legit)' }), auditNote(r.audit));
    } catch (err) {
      for (const b of cell.querySelectorAll('button')) (b as HTMLButtonElement).disabled = false;
      cell.append(errorBox(err));
    }
  };

  const row = (item: ReviewItem) => {
    const actions = h('td', { class: 'review-actions' });
    actions.append(
      h('button', {
        type: 'button',
        text: 'Confirm fraud',
        'aria-label': `Confirm ${item.accountId} as fraud`,
        on: { click: () => void decide(item, 'fraud', actions) },
      }),
      ' ',
      h('button', {
        type: 'button',
        text: 'Reject',
        'aria-label': `Reject ${item.accountId} (label legit)`,
        on: { click: () => void decide(item, 'legit', actions) },
      }),
    );
    const link = (id: string) => h('a', { href: `#/accounts/${encodeURIComponent(id)}`, text: id });
    return h(
      'tr',
      { dataset: { account: item.accountId } },
      h(
        'td',
        {},
        h('button', { type: 'button', class: 'link', text: item.accountId, on: { click: () => open(item.accountId) } }),
        h('div', { class: 'hint' }, item.clusterId ? h('a', { href: `#/clusters/${item.clusterId}`, text: item.clusterId }) : 'no cluster'),
      ),
      h('td', { class: 'num', text: fmt.score(item.score) }),
      h('td', { class: 'num', text: fmt.score(item.anomaly) }),
      h('td', {}, reasonList(item.explanations, link)),
      actions,
    );
  };

  const load = async () => {
    try {
      const page = await api<{ runId: string; items: ReviewItem[]; nextCursor: string | null }>(
        `/v1/review?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (!cursor) {
        if (!page.items.length) {
          clear(list, empty(`No model-only candidates in run ${page.runId}.`));
          return;
        }
        clear(
          list,
          h(
            'table',
            { class: 'review' },
            h('caption', { text: `Run ${page.runId}` }),
            h('thead', {}, h('tr', {}, ...['Account', 'Score', 'Anomaly', 'Why', 'Decide'].map((t) => h('th', { scope: 'col', text: t })))),
            rows,
          ),
          more,
        );
      }
      rows.append(...page.items.map(row));
      cursor = page.nextCursor;
      more.hidden = !cursor;
    } catch (err) {
      clear(list, errorBox(err));
    }
  };
  more.addEventListener('click', () => void load());
  void load();
  return { dispose: () => closePanel?.() };
}
