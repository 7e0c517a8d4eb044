// New successors: provisional migrations the watch found at ingest (GET /v1/migrations?status=provisional),
// with their evidence, a jump to both accounts, and confirm / reject. Refreshed every 15 s: this list
// is how investigators hear of them (no separate notification channel).
import { api } from '../api.js';
import type { Page } from '../main.js';
import type { AuditEntry } from '../types.js';
import { auditNote, clear, empty, errorBox, fmt, h, loading } from '../ui.js';

interface ProvisionalMigration {
  from: string;
  to: string;
  score: number;
  fallAt: string;
  riseAt: string;
  detectedAt: string;
  evidence: {
    fallKind?: string;
    riseKind?: string;
    sharedCounterparties?: number;
    formerCounterparties?: number;
    directTransfers?: number;
    profileSimilarity?: number;
    clusterShare?: number;
    successorShare?: number;
    gapDays?: number;
  };
  watch?: { listed: boolean; listScore: number; heldBecause: string | null; decision: string | null; decidedBy: string | null };
}

/** Successors per page of the list (the API's limit allows up to 500). */
const PAGE = 200;

const accountLink = (id: string) => h('a', { href: `#/accounts/${encodeURIComponent(id)}`, text: id });

function evidenceText(m: ProvisionalMigration): string {
  const e = m.evidence;
  const parts = [
    `${e.sharedCounterparties ?? 0} of ${e.formerCounterparties ?? 0} counterparties taken over`,
    e.directTransfers ? `${e.directTransfers} transfers from the predecessor` : null,
    `profile ${fmt.pct(e.profileSimilarity)}`,
    e.clusterShare !== undefined ? `${fmt.pct(e.clusterShare)} of its counterparties in the predecessor's cluster` : null,
    e.successorShare ? `${fmt.pct(e.successorShare)} of its counterparties taken over from the predecessor` : null,
    `${e.fallKind ?? '?'} → ${e.riseKind ?? '?'}, ${e.gapDays ?? '?'} days apart`,
  ];
  return parts.filter(Boolean).join(' · ');
}

export function successorsPage(root: HTMLElement): Page {
  const result = h('div', { 'aria-live': 'polite' });
  const list = h('section', {}, loading());
  clear(
    root,
    h('h1', { text: 'New successors' }),
    h('p', {
      class: 'muted',
      text: 'Accounts that took over a listed or fraud-labelled account’s counterparties since the last run. Confirm lists the successor until a run confirms the link; reject drops it for good.',
    }),
    result,
    list,
  );
  let disposed = false;

  async function decide(m: ProvisionalMigration, decision: 'confirm' | 'reject', button: HTMLButtonElement) {
    button.disabled = true;
    try {
      const r = await api<{ published: { version: number | null }; audit: AuditEntry }>(`/v1/migrations/${decision}`, {
        method: 'POST',
        body: { from: m.from, to: m.to },
      });
      clear(
        result,
        h('p', {
          role: 'status',
          text: `${decision === 'confirm' ? 'Confirmed' : 'Rejected'} ${m.from} → ${m.to}${r.published.version === null ? '' : ` (blacklist version ${r.published.version})`}.`,
        }),
        auditNote(r.audit),
      );
      await load();
    } catch (err) {
      clear(result, errorBox(err));
      button.disabled = false;
    }
  }

  // Pages of PAGE successors shown; "Show more" adds one, and the 15 s refresh reloads as many.
  let pages = 1;
  async function fetchShown(): Promise<{ items: ProvisionalMigration[]; more: boolean }> {
    const items: ProvisionalMigration[] = [];
    let cursor: string | null = null;
    for (let p = 0; p < pages; p++) {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const r: { items: ProvisionalMigration[]; nextCursor: string | null } = await api(
        `/v1/migrations?status=provisional&limit=${PAGE}${query}`,
      );
      items.push(...r.items);
      cursor = r.nextCursor;
      if (cursor === null) break;
    }
    return { items, more: cursor !== null };
  }

  async function load() {
    try {
      const r = await fetchShown();
      if (disposed) return;
      if (r.items.length === 0) {
        clear(list, empty('No provisional successors.'));
        return;
      }
      const more = h('button', { type: 'button', class: 'secondary', text: `Show ${PAGE} more` });
      more.addEventListener('click', () => {
        more.disabled = true;
        pages++;
        void load();
      });
      const rows = r.items.map((m) => {
        const confirm = h('button', { type: 'button', text: 'Confirm' });
        const reject = h('button', { type: 'button', class: 'secondary', text: 'Reject' });
        confirm.addEventListener('click', () => void decide(m, 'confirm', confirm));
        reject.addEventListener('click', () => void decide(m, 'reject', reject));
        const w = m.watch;
        // listed: on the served list now (the API reads it from the served version), else why not.
        const state = w?.listed
          ? `listed (${fmt.score(w.listScore)})${w.decision === 'confirmed' ? `, confirmed by ${w.decidedBy}` : ''}`
          : `${w?.decision === 'confirmed' ? `confirmed by ${w.decidedBy}; not listed: ` : ''}${w?.heldBecause ?? 'not listed'}`;
        return h(
          'tr',
          {},
          h('td', {}, accountLink(m.from)),
          h('td', {}, accountLink(m.to)),
          h('td', { class: 'num', text: fmt.score(m.score) }),
          h('td', { text: evidenceText(m) }),
          h('td', { text: state }),
          h('td', { text: fmt.date(m.detectedAt) }),
          h('td', {}, w?.decision === 'confirmed' ? null : confirm, reject),
        );
      });
      clear(
        list,
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Predecessor', 'Successor', 'Link score', 'Evidence', 'On the list', 'Detected', ''].map((t) =>
                h('th', { scope: 'col', text: t }),
              ),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
        h('p', { class: 'muted', text: `${r.items.length} shown${r.more ? ', newest first; more wait below' : ''}.` }),
        r.more ? more : null,
      );
    } catch (err) {
      if (!disposed) clear(list, errorBox(err));
    }
  }

  void load();
  const timer = window.setInterval(() => void load(), 15_000);
  return {
    dispose: () => {
      disposed = true;
      window.clearInterval(timer);
    },
  };
}
