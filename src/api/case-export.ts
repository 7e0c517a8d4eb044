// A case file: the accounts of an account's surroundings or of a cluster, with scores, reasons in
// words, labels (who, when), the transfers among them, migrations, and the run and list version it
// came from. Built from the served state; the route records the export in the audit log.
import type { FastifyInstance } from 'fastify';
import { createAnalysisRepository, type AccountResult, type ClusterSummary } from '../neo4j/repositories/analysis.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createLabelRepository, type LabelEvent } from '../neo4j/repositories/labels.js';
import type { ReasonExplanation } from '../explain/reasons.js';
import { iso, major, moneyOf, type Served, type ServedRun } from './context.js';
import { notFound } from './errors.js';
import { accountExplanations, briefExplanations, clusterExplanations, runSettings } from './explain.js';
import { CASE_FORMAT, CASE_VERSION, type CaseFile } from './schemas/case.js';

/** Most accounts in one case (the cluster page's size), and most transfers among them. */
export const CASE_MAX_ACCOUNTS = 2000;
export const CASE_MAX_TRANSFERS = 20_000;
/** Counterparties of an account taken into its case. */
export const CASE_COUNTERPARTIES = 25;

export type CaseSubject = { kind: 'account' | 'cluster'; id: string };

/** Everything of the case but who exported it and the audit id (added once the audit entry is written). */
export async function buildCase(
  app: FastifyInstance,
  snap: Served,
  served: ServedRun,
  subject: CaseSubject,
): Promise<Omit<CaseFile, 'exportedAt' | 'exportedBy' | 'auditId'>> {
  const driver = app.runtime.driver();
  const repo = createAnalysisRepository(driver, app.config.neo4j);
  const runId = served.run.id;
  let cluster: ClusterSummary | null = null;
  let ids: string[];
  let truncated = false;
  if (subject.kind === 'cluster') {
    cluster = await repo.cluster(runId, subject.id);
    if (!cluster) throw notFound(`No cluster ${subject.id} in the served run (${runId})`);
    ids = [...cluster.members];
  } else {
    const known = await repo.accountsExisting([subject.id]);
    if (!known.has(subject.id)) throw notFound(`No account ${subject.id}`);
    const cps = await repo.topCounterparties(subject.id, served.windowFrom, served.windowTo, CASE_COUNTERPARTIES * 2);
    ids = [subject.id, ...[...new Set(cps.map((c) => c.accountId))].slice(0, CASE_COUNTERPARTIES)];
  }
  const results = await repo.accountResults(runId, ids);
  const byId = new Map(results.map((r) => [r.accountId, r]));
  if (ids.length > CASE_MAX_ACCOUNTS) {
    // The strongest members by PageRank, as the cluster page shows them.
    ids.sort((a, b) => (byId.get(b)?.metrics.pagerank ?? 0) - (byId.get(a)?.metrics.pagerank ?? 0) || (a < b ? -1 : 1));
    ids = ids.slice(0, CASE_MAX_ACCOUNTS);
    truncated = true;
  }
  if (cluster === null && subject.kind === 'account') {
    const clusterId = byId.get(subject.id)?.clusterId;
    if (clusterId) cluster = await repo.cluster(runId, clusterId);
  }
  const version = snap.blacklist.servedVersion;
  const [events, entries, transfers, migrations, clusterMembers] = await Promise.all([
    createLabelRepository(driver, app.config.neo4j).forAccounts(ids),
    version === null ? new Map() : createBlacklistRepository(driver, app.config.neo4j).entriesFor(version, ids),
    repo.transfersAmong(ids, served.windowFrom, served.windowTo, CASE_MAX_TRANSFERS + 1),
    repo.migrationsOf(runId, ids),
    cluster && subject.kind === 'account' ? repo.accountResults(runId, cluster.members) : Promise.resolve(results),
  ]);
  if (transfers.length > CASE_MAX_TRANSFERS) {
    transfers.length = CASE_MAX_TRANSFERS;
    truncated = true;
  }
  const labelsOf = new Map<string, LabelEvent[]>();
  for (const e of events) (labelsOf.get(e.accountId) ?? labelsOf.set(e.accountId, []).get(e.accountId)!).push(e);
  const reasonsOf = async (r: AccountResult): Promise<ReasonExplanation[]> => {
    // The subject's flow reasons name the counterparties behind them; members of a large case get
    // their reasons in words without that lookup (one query per member would not scale).
    if (subject.kind === 'account' && r.accountId === subject.id) {
      const current = (labelsOf.get(r.accountId) ?? []).find((l) => l.retractedAt === null);
      return accountExplanations(
        app,
        snap,
        r,
        current ? { label: current.label, createdBy: current.createdBy, createdAt: iso(current.createdAt)!, note: current.note } : null,
      );
    }
    return briefExplanations(app, served.run, r.accountId, r.clusterId, r.reasons);
  };
  const accounts = [];
  for (const id of ids) {
    const r = byId.get(id);
    accounts.push({
      accountId: id,
      role: r?.role ?? null,
      score: r?.score ?? null,
      clusterId: r?.clusterId ?? null,
      listed: entries.has(id),
      listedWith: entries.get(id)?.reasons ?? null,
      reasons: r ? await reasonsOf(r) : [],
      labels: (labelsOf.get(id) ?? []).map((l) => ({
        label: l.label,
        note: l.note,
        source: l.source,
        createdBy: l.createdBy,
        createdAt: iso(l.createdAt)!,
        retractedAt: iso(l.retractedAt),
        retractedBy: l.retractedBy,
        retractReason: l.retractReason,
      })),
    });
  }
  const inCase = new Set(ids);
  return {
    format: CASE_FORMAT,
    version: CASE_VERSION,
    subject,
    source: {
      runId,
      runFinishedAt: iso(served.run.finishedAt),
      asOf: iso(served.run.asOf)!,
      window: { since: iso(served.windowFrom)!, until: iso(served.windowTo)! },
      blacklistVersion: version,
      baseCurrency: runSettings(app, served.run).baseCurrency,
    },
    cluster: cluster && {
      clusterId: cluster.clusterId,
      type: cluster.type,
      size: cluster.size,
      score: cluster.score,
      reasons: clusterExplanations(cluster.clusterId, cluster.reasons, clusterMembers),
      notes: cluster.notes,
    },
    accounts,
    transfers: transfers.map((t) => ({
      txId: t.txId,
      at: iso(t.at)!,
      from: t.source,
      to: t.target,
      amount: major(moneyOf(app.config, served.run), t.amount, t.currency),
      currency: t.currency,
      channel: t.channel,
    })),
    migrations: migrations
      .filter((m) => inCase.has(m.from) || inCase.has(m.to))
      .map((m) => ({ from: m.from, to: m.to, score: m.score, fallAt: iso(m.fallAt)!, riseAt: iso(m.riseAt)!, evidence: m.evidence })),
    limits: { accounts: CASE_MAX_ACCOUNTS, transfers: CASE_MAX_TRANSFERS, truncated },
  };
}

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const day = (s: string | null) => (s ? s.replace('T', ' ').slice(0, 16) + ' UTC' : '–');

/** The case as one self-contained HTML page, laid out for print-to-PDF (no script, no external file). */
export function caseHtml(c: CaseFile): string {
  const title = `Case: ${c.subject.kind} ${c.subject.id}`;
  const reasons = (list: ReasonExplanation[]) =>
    list.length
      ? `<ul class="reasons">${list
          .map(
            (r) =>
              `<li>${esc(r.text)}${r.accounts.length ? `<br><span class="behind">${r.accounts.map((a) => `${esc(a.accountId)} (${esc(a.detail)})`).join('; ')}</span>` : ''}</li>`,
          )
          .join('')}</ul>`
      : '<p class="none">No risk evidence.</p>';
  const labels = (a: CaseFile['accounts'][number]) =>
    a.labels.length
      ? a.labels
          .map(
            (l) =>
              `<div class="${l.retractedAt ? 'retracted' : ''}">${esc(l.label)} by ${esc(l.createdBy)} on ${day(l.createdAt)} (${esc(l.source)})${l.note ? `: ${esc(l.note)}` : ''}${l.retractedAt ? ` — retracted by ${esc(l.retractedBy)} on ${day(l.retractedAt)}: ${esc(l.retractReason)}` : ''}</div>`,
          )
          .join('')
      : '–';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:12px/1.4 system-ui,sans-serif;color:#111;margin:24px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:20px 0 6px;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:3px 5px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#444}.behind{color:#555;font-size:11px}
.retracted{text-decoration:line-through;color:#777}ul.reasons{margin:0;padding-left:16px}
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="meta">Exported ${day(c.exportedAt)} by ${esc(c.exportedBy.name)} (${esc(c.exportedBy.role)}) — audit ${esc(c.auditId)}.<br>
Run ${esc(c.source.runId)} (as of ${day(c.source.asOf)}; transfers ${day(c.source.window.since)} – ${day(c.source.window.until)}), blacklist version ${c.source.blacklistVersion ?? '–'}. Amounts in their currency.</p>
${
  c.cluster
    ? `<h2>Cluster ${esc(c.cluster.clusterId)}</h2><p>${esc(c.cluster.type)}, ${c.cluster.size} members, risk ${c.cluster.score.toFixed(2)}.</p>${reasons(c.cluster.reasons)}${c.cluster.notes.length ? `<ul>${c.cluster.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}`
    : ''
}
<h2>Accounts (${c.accounts.length})</h2>
<table><thead><tr><th>Account</th><th>Risk</th><th>Listed</th><th>Role / cluster</th><th>Why</th><th>Labels</th></tr></thead><tbody>
${c.accounts
  .map(
    (a) =>
      `<tr><td>${esc(a.accountId)}</td><td class="num">${a.score === null ? '–' : a.score.toFixed(2)}</td><td>${a.listed ? `yes${a.listedWith?.length ? `: ${esc(a.listedWith.join('; '))}` : ''}` : 'no'}</td><td>${esc(a.role ?? '–')} / ${esc(a.clusterId ?? '–')}</td><td>${reasons(a.reasons)}</td><td>${labels(a)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<h2>Transfers inside the case (${c.transfers.length})</h2>
<table><thead><tr><th>Date</th><th>From</th><th>To</th><th>Amount</th><th>Channel</th><th>Transaction</th></tr></thead><tbody>
${c.transfers
  .map(
    (t) =>
      `<tr><td>${day(t.at)}</td><td>${esc(t.from)}</td><td>${esc(t.to)}</td><td class="num">${esc(t.amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 3 }))} ${esc(t.currency)}</td><td>${esc(t.channel ?? '–')}</td><td>${esc(t.txId)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<h2>Migrations (${c.migrations.length})</h2>
${
  c.migrations.length
    ? `<table><thead><tr><th>From</th><th>To</th><th>Score</th><th>Fell</th><th>Rose</th><th>Evidence</th></tr></thead><tbody>${c.migrations
        .map(
          (m) =>
            `<tr><td>${esc(m.from)}</td><td>${esc(m.to)}</td><td class="num">${m.score.toFixed(2)}</td><td>${day(m.fallAt)}</td><td>${day(m.riseAt)}</td><td>${esc(
              Object.entries(m.evidence)
                .filter(([k]) => k !== 'sharedSample')
                .map(([k, v]) => `${k}: ${v}`)
                .join(', '),
            )}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p>None.</p>'
}
${c.limits.truncated ? `<p><strong>Truncated:</strong> a case holds at most ${c.limits.accounts} accounts and ${c.limits.transfers} transfers.</p>` : ''}
</body></html>
`;
}
