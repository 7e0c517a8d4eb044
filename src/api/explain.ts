// What the account, cluster, review and case routes need to say "why" in words: the context of
// src/explain/reasons.ts gathered from the served run, version and labels, and short account
// summaries (listed? score, cluster, label) for search suggestions and pasted lists.
import type { FastifyInstance } from 'fastify';
import { createAnalysisRepository, type AccountResult } from '../neo4j/repositories/analysis.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../neo4j/repositories/labels.js';
import { explainAccountReason, explainClusterReason, type ReasonCounterparty, type ReasonExplanation } from '../explain/reasons.js';
import { Type } from '@fastify/type-provider-typebox';
import { moneyOf, toBase, type Served } from './context.js';
import { Nullable } from './schemas/analysis.js';

export const ReasonExplanationSchema = Type.Object({
  reason: Type.String({ description: 'the stored reason (CODE or CODE:detail)' }),
  code: Type.String(),
  text: Type.String({ description: 'the reason in words, with its numbers' }),
  accounts: Type.Array(Type.Object({ accountId: Type.String(), detail: Type.String() }), {
    description: 'the accounts behind the reason, largest first (at most 10)',
  }),
  clusterId: Nullable(Type.String()),
});

export const AccountSummarySchema = Type.Object({
  accountId: Type.String(),
  found: Type.Boolean({ description: 'false: no transfer and no label was ever recorded for this id' }),
  firstSeenAt: Nullable(Type.String()),
  listed: Type.Boolean({ description: 'on the served blacklist version' }),
  score: Nullable(Type.Number({ description: 'served risk score; null when the served run did not analyse it' })),
  role: Nullable(Type.String()),
  clusterId: Nullable(Type.String()),
  label: Nullable(Type.String({ description: 'the label in force: fraud or legit' })),
});

/** Counterparties of the window considered behind a flow reason. */
const REASON_COUNTERPARTIES = 50;

/** Listed? score, cluster, label for a list of ids, in the order asked. */
export async function accountSummaries(app: FastifyInstance, snap: Served, ids: readonly string[]) {
  const driver = app.runtime.driver();
  const repo = createAnalysisRepository(driver, app.config.neo4j);
  const version = snap.blacklist.servedVersion;
  const [existing, results, labels, entries] = await Promise.all([
    repo.accountsExisting(ids),
    snap.run ? repo.accountResults(snap.run.run.id, ids) : Promise.resolve([] as AccountResult[]),
    createLabelRepository(driver, app.config.neo4j).currentFor(ids),
    version === null ? Promise.resolve(new Map()) : createBlacklistRepository(driver, app.config.neo4j).entriesFor(version, ids),
  ]);
  const byId = new Map(results.map((r) => [r.accountId, r]));
  return ids.map((id) => {
    const r = byId.get(id);
    const seen = existing.get(id);
    return {
      accountId: id,
      found: seen !== undefined || labels.has(id),
      firstSeenAt: seen == null ? null : new Date(seen).toISOString(),
      listed: entries.has(id),
      score: r?.score ?? null,
      role: r?.role ?? null,
      clusterId: r?.clusterId ?? null,
      label: labels.get(id) ?? null,
    };
  });
}

/**
 * The analysis settings the run used (stored with it), else this process's: an explanation speaks
 * of what the run computed (a PASS_THROUGH of a 48-hour run is not "within 24 hours" because the
 * API process was started with another ACCTNET_HOLD_HOURS).
 */
export function runSettings(app: FastifyInstance, run: { params: Record<string, unknown> } | null | undefined) {
  const p = run?.params ?? {};
  return {
    holdHours: typeof p.holdHours === 'number' ? p.holdHours : app.config.analysis.holdHours,
    baseCurrency: typeof p.baseCurrency === 'string' ? p.baseCurrency : app.config.analysis.baseCurrency,
  };
}

/** The account's reasons in words, with the counterparties behind flow reasons. */
export async function accountExplanations(
  app: FastifyInstance,
  snap: Served,
  result: AccountResult,
  label: { label: string; createdBy: string; createdAt: string; note: string | null } | null,
): Promise<ReasonExplanation[]> {
  if (!result.reasons.length) return [];
  const served = snap.run;
  const driver = app.runtime.driver();
  let counterparties: ReasonCounterparty[] = [];
  if (served) {
    const repo = createAnalysisRepository(driver, app.config.neo4j);
    const raw = await repo.topCounterparties(result.accountId, served.windowFrom, served.windowTo, REASON_COUNTERPARTIES);
    const ids = [...new Set(raw.map((c) => c.accountId))];
    const summaries = new Map((await accountSummaries(app, snap, ids)).map((s) => [s.accountId, s]));
    const merged = new Map<string, ReasonCounterparty>();
    // Converted as the run converted them: the text names the run's base currency.
    const money = moneyOf(app.config, served.run);
    for (const c of raw) {
      const s = summaries.get(c.accountId);
      const m = merged.get(c.accountId) ?? {
        accountId: c.accountId,
        sent: 0,
        received: 0,
        score: s?.score ?? null,
        listed: s?.listed ?? false,
        label: s?.label ?? null,
      };
      // The explained account's point of view: what it sent to / received from the counterparty.
      m.sent += toBase(money, c.sent, c.currency) ?? 0;
      m.received += toBase(money, c.received, c.currency) ?? 0;
      merged.set(c.accountId, m);
    }
    counterparties = [...merged.values()];
  }
  const { holdHours, baseCurrency } = runSettings(app, served?.run);
  const ctx = {
    accountId: result.accountId,
    clusterId: result.clusterId,
    baseCurrency,
    inAmount: result.metrics.inAmount,
    outAmount: result.metrics.outAmount,
    counterparties,
    label,
    holdHours,
  };
  return result.reasons.map((r) => explainAccountReason(r, ctx));
}

/** Reasons of an account without looking up its counterparties (lists of many accounts). */
export function briefExplanations(
  app: FastifyInstance,
  run: { params: Record<string, unknown> } | null | undefined,
  accountId: string,
  clusterId: string | null,
  reasons: readonly string[],
) {
  const { holdHours, baseCurrency } = runSettings(app, run);
  const ctx = {
    accountId,
    clusterId,
    baseCurrency,
    inAmount: 0,
    outAmount: 0,
    counterparties: [],
    label: null,
    holdHours,
  };
  return reasons.map((r) => explainAccountReason(r, ctx));
}

export function clusterExplanations(clusterId: string, reasons: readonly string[], members: readonly AccountResult[]) {
  const ctx = {
    clusterId,
    members: members.map((m) => ({ accountId: m.accountId, score: m.score, labelledFraud: m.reasons.includes('LABELLED_FRAUD') })),
  };
  return reasons.map((r) => explainClusterReason(r, ctx));
}
