// The side panel: everything about one account, and the investigator's actions on it.
import { api, exportCase } from '../api.js';
import { reasonList } from '../evidence.js';
import type { AccountDetail, AuditEntry, Label, Migration } from '../types.js';
import { auditNote, caseButtons, clear, errorBox, facts, fmt, h, loading, roleBadge } from '../ui.js';

export interface PanelHooks {
  /** Called after a label changes (the graph redraws its ring). */
  onLabel?: (accountId: string, label: string | null) => void;
  onExpand?: (accountId: string) => void;
  /** Select an account shown in the graph instead of navigating away. */
  onPick?: (accountId: string) => boolean;
}

/** Activity per bucket as bars: a fall or a rise shows as the bars stopping or starting. */
function timeline(detail: AccountDetail): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const buckets = detail.timeline.buckets;
  const width = 320;
  const height = 70;
  const max = buckets.reduce((m, b) => Math.max(m, b.transfers), 1);
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height + 14}`);
  svg.setAttribute('class', 'timeline');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Transfers per ${detail.timeline.bucketDays}-day bucket: ${buckets.map((b) => b.transfers).join(', ')}`);
  const w = width / Math.max(1, buckets.length);
  buckets.forEach((b, k) => {
    const bar = document.createElementNS(ns, 'rect');
    const bh = (b.transfers / max) * height;
    bar.setAttribute('x', String(k * w + 1));
    bar.setAttribute('y', String(height - bh));
    bar.setAttribute('width', String(Math.max(1, w - 2)));
    bar.setAttribute('height', String(bh));
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${b.start.slice(0, 10)}: ${b.transfers} transfers`;
    bar.append(title);
    svg.append(bar);
  });
  for (const [k, anchor] of [
    [0, 'start'],
    [buckets.length - 1, 'end'],
  ] as const) {
    if (!buckets[k]) continue;
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', String(k === 0 ? 0 : width));
    t.setAttribute('y', String(height + 12));
    t.setAttribute('text-anchor', anchor);
    t.textContent = buckets[k]!.start.slice(0, 10);
    svg.append(t);
  }
  return svg;
}

export function renderAccountPanel(root: HTMLElement, accountId: string, hooks: PanelHooks = {}): () => void {
  let disposed = false;
  clear(root, loading(`Loading ${accountId}…`));
  const jump = (id: string, text = id) =>
    h('a', {
      href: `#/accounts/${encodeURIComponent(id)}`,
      text,
      on: {
        click: (e: Event) => {
          if (hooks.onPick?.(id)) e.preventDefault();
        },
      },
    });

  async function load() {
    let d: AccountDetail;
    try {
      d = await api<AccountDetail>(`/v1/accounts/${encodeURIComponent(accountId)}`);
    } catch (err) {
      if (!disposed) clear(root, errorBox(err));
      return;
    }
    if (disposed) return;
    const m = (d.metrics ?? {}) as Record<string, number | null>;
    const actionsOut = h('div', { class: 'action-result', 'aria-live': 'polite' });
    const migration = (x: Migration, other: string, dir: string) =>
      h(
        'li',
        {},
        `${dir} `,
        jump(other),
        ` — score ${x.score.toFixed(2)}, fell ${fmt.date(x.fallAt)}, rose ${fmt.date(x.riseAt)}`,
        h('div', {
          class: 'evidence',
          text: Object.entries(x.evidence)
            .filter(([k]) => k !== 'sharedSample')
            .map(([k, v]) => `${k}: ${v}`)
            .join(' · '),
        }),
      );

    const labelForm = h(
      'form',
      { class: 'inline', 'aria-label': 'Label this account' },
      h(
        'label',
        {},
        'Label ',
        h('select', { name: 'label' }, h('option', { value: 'fraud', text: 'fraud' }), h('option', { value: 'legit', text: 'legit' })),
      ),
      h('label', {}, ' Note ', h('input', { name: 'note', maxlength: 2000, placeholder: 'why' })),
      h('button', { type: 'submit', text: 'Add label' }),
    );
    labelForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(labelForm);
      try {
        const r = await api<{ label: Label; audit: AuditEntry }>('/v1/labels', {
          method: 'POST',
          body: { accountId, label: f.get('label'), note: String(f.get('note') ?? '') || undefined },
        });
        hooks.onLabel?.(accountId, r.label.label);
        await load();
        root.querySelector('.action-result')?.replaceChildren(auditNote(r.audit));
      } catch (err) {
        clear(actionsOut, errorBox(err));
      }
    });

    const overrideForm = h(
      'form',
      { class: 'inline', 'aria-label': 'Override the blacklist for this account' },
      h(
        'label',
        {},
        'Override ',
        h(
          'select',
          { name: 'action' },
          h('option', { value: 'include', text: 'force onto the list' }),
          h('option', { value: 'exclude', text: 'keep off the list' }),
        ),
      ),
      h('label', {}, ' Reason ', h('input', { name: 'reason', required: true, maxlength: 2000 })),
      h('button', { type: 'submit', text: 'Override' }),
    );
    overrideForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = new FormData(overrideForm);
      try {
        const r = await api<{
          audit: AuditEntry;
          status?: 'pending confirmation';
          published?: { status: string; version: number | null };
        }>('/v1/blacklist/overrides', {
          method: 'POST',
          body: { accountId, action: f.get('action'), reason: f.get('reason') },
        });
        await load();
        root.querySelector('.action-result')?.replaceChildren(
          auditNote(r.audit),
          h('p', {
            text:
              r.status === 'pending confirmation'
                ? 'Pending confirmation: the account stays listed until a second investigator or an admin confirms (Review page).'
                : r.published?.status === 'pending'
                  ? 'Saved; publication is pending behind another one (it will be served shortly).'
                  : `Published blacklist version ${r.published?.version}.`,
          }),
        );
      } catch (err) {
        clear(actionsOut, errorBox(err));
      }
    });

    const pathTo = h('input', { name: 'to', required: true, maxlength: 1024, placeholder: 'account id', 'aria-label': 'Path to account' });
    const pathForm = h(
      'form',
      { class: 'inline', 'aria-label': 'Money paths from this account' },
      h('span', { text: 'Path to… ' }),
      pathTo,
      h('button', { type: 'submit', text: 'Follow money' }),
    );
    pathForm.addEventListener('submit', (e) => {
      e.preventDefault();
      location.hash = `#/paths?${new URLSearchParams({ from: accountId, to: pathTo.value.trim(), hops: '4' })}`;
    });

    const labelItems = d.labels.events.map((l) => {
      const li = h(
        'li',
        { class: l.retractedAt ? 'retracted' : '' },
        `${l.label}${l.note ? ` — ${l.note}` : ''} (${l.createdBy}, ${fmt.date(l.createdAt)}, source: ${l.source})`,
      );
      if (l.retractedAt) li.append(` — retracted by ${l.retractedBy}: ${l.retractReason}`);
      else {
        const reason = h('input', { 'aria-label': `Reason to retract the ${l.label} label`, placeholder: 'reason', required: true });
        const form = h('form', { class: 'inline retract' }, reason, h('button', { type: 'submit', text: 'Retract' }));
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          try {
            const r = await api<{ audit: AuditEntry }>(`/v1/labels/${l.id}`, { method: 'DELETE', body: { reason: reason.value } });
            await load();
            hooks.onLabel?.(accountId, null);
            root.querySelector('.action-result')?.replaceChildren(auditNote(r.audit));
          } catch (err) {
            clear(actionsOut, errorBox(err));
          }
        });
        li.append(' ', form);
      }
      return li;
    });

    clear(
      root,
      h('h2', { text: d.accountId }),
      facts([
        ['Role', roleBadge(d.role)],
        ['Risk', h('strong', { text: fmt.score(d.score) })],
        [
          'Cluster',
          d.cluster
            ? h('a', {
                href: `#/clusters/${d.cluster.clusterId}?account=${encodeURIComponent(d.accountId)}`,
                text: `${d.cluster.clusterId} (${d.cluster.type}, risk ${fmt.score(d.cluster.score)})`,
              })
            : '–',
        ],
        [
          'Blacklist',
          h(
            'span',
            {},
            d.blacklist.listed
              ? h('span', { class: 'listed', text: `listed in v${d.blacklist.version}` })
              : `not listed (v${d.blacklist.version ?? '–'})`,
            // The publish guard (or a pin) holds a newer run's list: the risk and reasons here are
            // that run's, the listing the served version's, built from an older run.
            d.blacklist.version !== null && !d.blacklist.sameRun
              ? h('span', {
                  class: 'hint list-run-note',
                  text: ` — the served list was built from ${d.blacklist.runId ? `run ${d.blacklist.runId}` : 'no run'}; risk and reasons here are from run ${d.runId ?? '–'}, whose list ${
                    d.blacklist.held
                      ? `is v${d.blacklist.held.version}, held${d.blacklist.held.reason ? ` (${d.blacklist.held.reason})` : ''} until an admin approves it: it ${d.blacklist.held.listed ? 'lists' : 'does not list'} this account (see Runs)`
                      : 'is not served yet (held by the publish guard or a pin: see Runs)'
                  }`,
                })
              : null,
          ),
        ],
        ['Label', d.labels.current ? `${d.labels.current.label} (${d.labels.current.createdBy}, ${d.labels.current.source})` : 'none'],
        ['First seen', fmt.date(d.firstSeenAt)],
        ['PageRank', m.pagerank === undefined ? '–' : Number(m.pagerank).toExponential(2)],
        ['Counterparties in / out', `${m.inDegree ?? '–'} / ${m.outDegree ?? '–'}`],
        ['Money in / out', `${fmt.money(m.inAmount)} / ${fmt.money(m.outAmount)}`],
        ['Passed straight through', fmt.pct(m.forwardShare)],
      ]),
      hooks.onExpand
        ? h('button', { type: 'button', text: 'Expand neighbourhood', on: { click: () => hooks.onExpand!(accountId) } })
        : null,
      caseButtons((format) => exportCase('accounts', accountId, format)),
      pathForm,
      h('h3', { text: 'Why' }),
      d.explanations.length
        ? reasonList(
            d.explanations,
            (id) => jump(id),
            (cid) => h('a', { href: `#/clusters/${cid}?account=${encodeURIComponent(d.accountId)}`, text: `cluster ${cid}` }),
          )
        : h('p', { text: 'No risk evidence.' }),
      d.blacklist.entry ? h('p', { class: 'hint', text: `Listed with: ${d.blacklist.entry.reasons.join('; ')}` }) : null,
      // An override decides the listing whatever the runs say: who, when and why, where the investigator looks.
      d.blacklist.override
        ? h('p', {
            class: 'hint override-note',
            text: `${d.blacklist.override.action === 'include' ? 'Forced onto the list' : 'Kept off the list'} by ${d.blacklist.override.createdBy}${d.blacklist.override.confirmedBy ? ` (confirmed by ${d.blacklist.override.confirmedBy})` : ''} on ${d.blacklist.override.createdAt.slice(0, 10)}: ${d.blacklist.override.reason}${d.blacklist.override.action === 'exclude' && d.labels.current?.label === 'fraud' ? ' — this account is labelled fraud' : ''}`,
          })
        : null,
      h('h3', { text: 'Activity' }),
      d.timeline.buckets.length ? timeline(d) : h('p', { text: 'Not in the analysed window.' }),
      h('h3', { text: 'Migrations' }),
      d.migrations.predecessors.length + d.migrations.successors.length
        ? h(
            'ul',
            { class: 'migrations' },
            ...d.migrations.predecessors.map((x) => migration(x, x.from, 'took over from')),
            ...d.migrations.successors.map((x) => migration(x, x.to, 'moved to')),
          )
        : h('p', { text: 'None.' }),
      h('h3', { text: 'Top counterparties' }),
      h(
        'table',
        { class: 'compact' },
        h('thead', {}, h('tr', {}, ...['Account', 'Sent', 'Received', 'Transfers'].map((t) => h('th', { scope: 'col', text: t })))),
        h(
          'tbody',
          {},
          ...d.topCounterparties.map((c) =>
            h(
              'tr',
              {},
              h('td', {}, jump(c.accountId)),
              h('td', { class: 'num', text: `${fmt.money(c.sent)} ${c.currency}` }),
              h('td', { class: 'num', text: `${fmt.money(c.received)} ${c.currency}` }),
              h('td', { class: 'num', text: c.transfers }),
            ),
          ),
        ),
      ),
      h('h3', { text: 'Labels' }),
      labelItems.length ? h('ul', { class: 'labels' }, ...labelItems) : h('p', { text: 'No labels.' }),
      h('h3', { text: 'Act' }),
      labelForm,
      overrideForm,
      actionsOut,
    );
  }
  void load();
  return () => (disposed = true);
}
