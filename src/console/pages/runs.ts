import { api } from '../api.js';
import type { Page } from '../main.js';
import type { AuditEntry, ModelCard, Run } from '../types.js';
import { auditNote, clear, empty, errorBox, fmt, h, loading } from '../ui.js';

/** A shadow run's list change (GET /v1/runs/:id/shadow), fetched when asked for: the first 100, highest score first. */
function shadowChange(runId: string, change: 'added' | 'removed', count: number): HTMLElement {
  const label = change === 'added' ? `Show the ${count} it would add` : `Show the ${count} it would drop`;
  const button = h('button', { type: 'button', class: 'link', text: label });
  const box = h('div', {});
  button.addEventListener('click', async () => {
    button.disabled = true;
    clear(box, loading());
    try {
      const r = await api<{ items: Array<{ accountId: string; score: number; reasons: string[] }>; nextCursor: string | null }>(
        `/v1/runs/${encodeURIComponent(runId)}/shadow?change=${change}&limit=100`,
      );
      clear(
        box,
        r.items.length
          ? h(
              'ul',
              { class: 'shadow-list' },
              ...r.items.map((e) =>
                h(
                  'li',
                  {},
                  h('a', { href: `#/accounts/${encodeURIComponent(e.accountId)}`, text: e.accountId }),
                  ` ${e.score} — ${e.reasons.join('; ')}`,
                ),
              ),
            )
          : empty('None.'),
        r.nextCursor
          ? h('p', { class: 'muted', text: `the first 100 of ${count}: GET /v1/runs/${runId}/shadow pages through the rest` })
          : null,
      );
    } catch (err) {
      clear(box, errorBox(err));
      button.disabled = false;
    }
  });
  return h('div', {}, button, box);
}

/** The learned model's card: quality at a glance, the labels and features behind it on demand. */
function modelCard(card: ModelCard | null, runId: string): HTMLElement | string {
  if (!card) return '–';
  const sources = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  // Not trained: why, and the labels it had (by source), not only a word with a tooltip.
  if (card.status !== 'trained')
    return h(
      'details',
      { class: 'model-card' },
      h('summary', {
        class: 'muted',
        text: card.status === 'off' ? 'off' : card.status === 'unreliable' ? `not used: ROC-AUC ${card.rocAuc}` : 'too few labels',
      }),
      h(
        'ul',
        {},
        card.message ? h('li', { text: card.message }) : null,
        card.labels
          ? h('li', {
              text: `labels: ${card.labels.fraud} fraud (${sources(card.labels.bySource.fraud)}), ${card.labels.legit} legit (${sources(card.labels.bySource.legit)})`,
            })
          : null,
        ...(card.notes ?? []).map((n) => h('li', { class: 'warning', text: n })),
      ),
    );
  return h(
    'details',
    { class: 'model-card' },
    h('summary', { text: `${card.mode === 'shadow' ? 'shadow · ' : ''}ROC-AUC ${card.rocAuc} · PR-AUC ${card.prAuc}` }),
    h(
      'ul',
      {},
      h('li', { text: `${card.model}, ${card.folds}-fold cross-validation grouped by cluster (out-of-fold figures)` }),
      h('li', {
        text: `labels: ${card.labels.fraud} fraud (${sources(card.labels.bySource.fraud)}), ${card.labels.legit} legit, ${card.labels.sampled} sampled unlabelled`,
      }),
      card.logisticRocAuc !== null ? h('li', { text: `logistic regression on the same folds: ROC-AUC ${card.logisticRocAuc}` }) : null,
      card.rulesRocAuc != null ? h('li', { text: `the rules alone on the same labels: ROC-AUC ${card.rulesRocAuc}` }) : null,
      card.rocAucLegitOnly !== null ? h('li', { text: `against legit labels only: ROC-AUC ${card.rocAucLegitOnly}` }) : null,
      card.shadow
        ? h(
            'li',
            {},
            `shadow list: ${card.shadow.listed} entries (${card.shadow.added} not served now, ${card.shadow.removed} served now dropped)`,
            card.shadow.added ? shadowChange(runId, 'added', card.shadow.added) : null,
            card.shadow.removed ? shadowChange(runId, 'removed', card.shadow.removed) : null,
          )
        : null,
      h('li', { text: `top features: ${card.topFeatures.map((f) => `${f.name} ${f.importance}`).join(', ')}` }),
      ...card.notes.map((n) => h('li', { class: 'warning', text: n })),
    ),
  );
}

export function runsPage(root: HTMLElement): Page {
  const result = h('div', { 'aria-live': 'polite' });
  const list = h('section', {}, loading());
  const trigger = h('button', { type: 'button', text: 'Request a recompute' });
  clear(root, h('h1', { text: 'Runs' }), trigger, result, list);
  let timer: number | undefined;
  let pending = false;
  let disposed = false;

  trigger.addEventListener('click', async () => {
    trigger.disabled = true;
    try {
      const r = await api<{ jobId: string; coalesced: boolean; audit: AuditEntry }>('/v1/recomputations', { method: 'POST', body: {} });
      pending = true;
      clear(
        result,
        h('p', {
          role: 'status',
          text: r.coalesced ? `Joined the recompute already waiting (${r.jobId}).` : `Recompute requested (${r.jobId}).`,
        }),
        auditNote(r.audit),
      );
      void refresh();
    } catch (err) {
      clear(result, errorBox(err));
    } finally {
      trigger.disabled = false;
    }
  });

  let lastTop: string | undefined;
  async function refresh() {
    window.clearTimeout(timer);
    try {
      const runs = (await api<{ items: Run[] }>('/v1/runs?limit=30')).items;
      if (disposed) return;
      const running = runs.find((r) => r.status === 'running');
      if (pending && runs[0] && runs[0].id !== lastTop && runs[0].status !== 'running') pending = false;
      lastTop ??= runs[0]?.id;
      clear(
        list,
        running
          ? h('p', {
              class: 'progress',
              role: 'status',
              text: `${running.id} is running: ${running.step}${running.counts.transfersLoaded ? ` (${running.counts.transfersLoaded} transfers loaded)` : ''}`,
            })
          : null,
        runs.length
          ? h(
              'table',
              { class: 'compact runs' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...['Run', 'Status', 'Trigger', 'Started', 'Took', 'Accounts', 'Clusters', 'Blacklist', 'Model', 'Steps'].map((t) =>
                    h('th', { scope: 'col', text: t }),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                ...runs.map((r) =>
                  h(
                    'tr',
                    { class: r.status },
                    h('td', { text: r.id }),
                    h('td', { text: r.status === 'running' ? `running (${r.step})` : r.status, title: r.error ?? '' }),
                    h('td', { text: `${r.trigger} · ${r.requestedBy}` }),
                    h('td', { text: fmt.date(r.startedAt) }),
                    h('td', { class: 'num', text: r.finishedAt ? fmt.ms(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : '…' }),
                    h('td', { class: 'num', text: r.counts.accounts ?? '–' }),
                    h('td', { class: 'num', text: r.counts.clusters ?? '–' }),
                    h('td', { text: r.blacklistVersion ? `v${r.blacklistVersion}` : '–' }),
                    h('td', {}, modelCard(r.model, r.id)),
                    h(
                      'td',
                      {},
                      h(
                        'details',
                        {},
                        h('summary', { text: 'timings' }),
                        h(
                          'ul',
                          {},
                          ...Object.entries(r.timings)
                            .filter(([k]) => !k.includes('.'))
                            .map(([k, v]) => h('li', { text: `${k}: ${fmt.ms(v)}` })),
                        ),
                      ),
                      r.error ? h('p', { class: 'error', text: r.error }) : null,
                    ),
                  ),
                ),
              ),
            )
          : empty('No run yet.'),
      );
      // Live progress: poll while a run is going or a request waits for its run.
      if (running || pending) timer = window.setTimeout(() => void refresh(), 1500);
    } catch (err) {
      if (!disposed) clear(list, errorBox(err));
    }
  }
  void refresh();
  return {
    dispose: () => {
      disposed = true;
      window.clearTimeout(timer);
    },
  };
}
