// Hand-made graphs for the analysis tests: transfers by day and hour, aggregated like a real run.
import { FlowAggregator, type Flows } from '../../src/analysis/flows.js';
import {
  ANALYSIS_DEFAULTS,
  runAnalysis,
  type AnalysisInput,
  type AnalysisOutput,
  type AnalysisParams,
} from '../../src/analysis/pipeline.js';
import type { LabelValue } from '../../src/analysis/risk.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 0, 1);

export interface T {
  from: string;
  to: string;
  amount: number;
  day: number;
  hour?: number;
  channel?: string;
}

export function flowsOf(transfers: T[], opts: { days?: number } = {}): Flows {
  const days = opts.days ?? Math.max(...transfers.map((t) => t.day)) + 1;
  const agg = new FlowAggregator({ from: T0, to: T0 + days * DAY - 1, bucketMs: 7 * DAY }, { holdMs: 48 * HOUR });
  for (const t of transfers)
    agg.add({ from: t.from, to: t.to, amount: t.amount, at: T0 + t.day * DAY + (t.hour ?? 12) * HOUR, channel: t.channel ?? 'p2p' });
  return agg.finish();
}

export function analyse(
  transfers: T[],
  opts: {
    labels?: Record<string, LabelValue>;
    previous?: Map<string, string>;
    params?: Partial<AnalysisParams>;
    days?: number;
    pagerankThread?: AnalysisInput['pagerankThread'];
  } = {},
): Promise<AnalysisOutput> {
  const flows = flowsOf(transfers, opts.days === undefined ? {} : { days: opts.days });
  return runAnalysis({
    flows,
    firstSeen: new Map(),
    labels: new Map(Object.entries(opts.labels ?? {})),
    previousClusters: opts.previous ?? new Map(),
    nextClusterSeq: 1,
    params: { ...ANALYSIS_DEFAULTS, ...opts.params },
    ...(opts.pagerankThread ? { pagerankThread: opts.pagerankThread } : {}),
  });
}

/** The index of account `id` in a run's per-account arrays; throws for an account the run did not see. */
export function indexOf(out: Pick<AnalysisOutput, 'ids'>, id: string): number {
  const i = out.ids.indexOf(id);
  if (i < 0) throw new Error(`account ${id} is not in the analysis`);
  return i;
}

/** A money ring: the same amount goes round every `every` days, each hop a couple of hours later. */
export function ring(members: string[], opts: { fromDay: number; toDay: number; every?: number; amount?: number }): T[] {
  const out: T[] = [];
  for (let day = opts.fromDay; day < opts.toDay; day += opts.every ?? 2) {
    let amount = opts.amount ?? 5000;
    members.forEach((m, i) => {
      out.push({ from: m, to: members[(i + 1) % members.length]!, amount, day, hour: 1 + 2 * i });
      amount *= 0.98;
    });
  }
  return out;
}

/** Ordinary people: small friend groups paying each other now and then, and a shop each. */
export function background(prefix: string, groups: number, days: number): T[] {
  const out: T[] = [];
  for (let g = 0; g < groups; g++) {
    const a = `${prefix}${g}a`;
    const b = `${prefix}${g}b`;
    const c = `${prefix}${g}c`;
    for (let day = g % 5; day < days; day += 9) {
      out.push({ from: a, to: b, amount: 30 + g, day, hour: 18 });
      out.push({ from: b, to: c, amount: 20 + g, day: day + 1, hour: 19 });
      out.push({ from: c, to: a, amount: 10 + g, day: day + 3, hour: 20 });
    }
  }
  return out;
}

/**
 * OLD lives an ordinary life with friends C1..C4 until day 60 and goes quiet; NEW appears on day 62
 * and carries on with the same people (the same person, a new account). A shop and an employer
 * with 120+ counterparties each (hubs at the default ACCTNET_HUB_MIN_DEGREE) and an unrelated newcomer.
 */
export function takeover(): T[] {
  const tx: T[] = [];
  const partners = ['C1', 'C2', 'C3', 'C4'];
  for (let d = 0; d < 120; d += 2) {
    const acct = d < 61 ? 'OLD' : d >= 62 ? 'NEW' : null;
    if (!acct) continue;
    partners.forEach((c, k) => {
      if ((d / 2 + k) % 2) tx.push({ from: c, to: acct, amount: 40 + k, day: d, hour: 19 });
      else tx.push({ from: acct, to: c, amount: 35 + k, day: d, hour: 18 });
    });
    tx.push({ from: acct, to: 'SHOP', amount: 30, day: d, hour: 12, channel: 'card' });
    if (d % 30 === 0) tx.push({ from: 'EMPLOYER', to: acct, amount: 2500, day: d, hour: 7 });
  }
  for (let c = 0; c < 120; c++) tx.push({ from: `CUST${c}`, to: 'SHOP', amount: 25, day: c % 120, hour: 15, channel: 'card' });
  for (let c = 0; c < 120; c++) tx.push({ from: 'EMPLOYER', to: `E${c}`, amount: 2000, day: (c * 7) % 120, hour: 7 });
  // Someone new, unrelated, at the same time.
  for (let d = 63; d < 120; d += 3) tx.push({ from: 'STRANGER', to: 'S2', amount: 50, day: d, hour: 12 });
  return tx;
}
