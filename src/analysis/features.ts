// acctnet/analysis/features: per-account behaviour derived from the flows and the graph — the
// evidence roles, cluster types, migration pairing and risk are built from.
import type { Centrality } from './centrality.js';
import type { Flows } from './flows.js';
import type { PairOrder } from './graph.js';

export const DAY_MS = 86_400_000;
/** Receivers paid by (payers paying) at least this many distinct accounts, and 10× the median, are popular. */
const POPULAR_MIN = 20;
const POPULAR_MEDIAN_FACTOR = 10;

export interface AccountFeatures {
  n: number;
  /** Days between the account's first transfer ever (Account.firstSeenAt) and asOf. */
  ageDays: Float64Array;
  /** Days between its first and last transfer inside the window. */
  activeDays: Float64Array;
  /** Share of its outflow covered by money received shortly before (0..1). */
  passThrough: Float64Array;
  /**
   * Share of the money moving through the account that passed straight through (0..1):
   * quickOut / max(inflow, outflow). A mule scores high on both sides; a victim who receives a
   * little and pays a scammer from savings does not (out ≫ in), nor does a cash-out that keeps it.
   */
  forwardShare: Float64Array;
  /** Share of transfers (in and out) at night, 00:00–06:00 UTC. */
  nightShare: Float64Array;
  /** Share of outflow paid to hubs (merchants, billers): ordinary spending. */
  hubOutShare: Float64Array;
  /** Share of inflow received from hubs (payroll, refunds): ordinary income. */
  hubInShare: Float64Array;
  /**
   * Ordinary life, 0..1: the share of all the money the account moved (in + out) that was paid to
   * popular receivers (shops, billers, landlords: paid by many) or received from popular payers
   * (employers, refunds). Hubs count as popular. Mules and cash-out accounts have next to none; a
   * cash-out account's few card payments do not make its fraud inflow ordinary.
   */
  ordinary: Float64Array;
  /** Distinct non-hub counterparties sending to / receiving from the account. */
  coreInDegree: Uint32Array;
  coreOutDegree: Uint32Array;
  /** Transfers per active day. */
  velocity: Float64Array;
  /** Median over accounts of transfers per active day, for relative thresholds. */
  medianVelocity: number;
  /** Median outgoing amount over all accounts. */
  medianAmount: number;
  /** Mean log outgoing amount per account (NaN without outflow). */
  logAmountMean: Float64Array;
}

export function computeFeatures(
  flows: Flows,
  po: PairOrder,
  c: Centrality,
  isHub: Uint8Array,
  firstSeen: ReadonlyMap<string, number> | undefined,
): AccountFeatures {
  const n = flows.ids.length;
  const asOf = flows.window.to;
  const f: AccountFeatures = {
    n,
    ageDays: new Float64Array(n),
    activeDays: new Float64Array(n),
    passThrough: new Float64Array(n),
    forwardShare: new Float64Array(n),
    nightShare: new Float64Array(n),
    hubOutShare: new Float64Array(n),
    hubInShare: new Float64Array(n),
    ordinary: new Float64Array(n),
    coreInDegree: new Uint32Array(n),
    coreOutDegree: new Uint32Array(n),
    velocity: new Float64Array(n),
    medianVelocity: 0,
    medianAmount: 0,
    logAmountMean: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const first = Math.min(firstSeen?.get(flows.ids[i]!) ?? Infinity, flows.firstAt[i]!);
    f.ageDays[i] = (asOf - first) / DAY_MS;
    f.activeDays[i] = Math.max(1, (flows.lastAt[i]! - flows.firstAt[i]!) / DAY_MS);
    const out = flows.outAmount[i]!;
    const inn = flows.inAmount[i]!;
    f.passThrough[i] = out > 0 ? flows.quickOut[i]! / out : 0;
    f.forwardShare[i] = inn > 0 && out > 0 ? Math.min(1, flows.quickOut[i]! / Math.max(inn, out)) : 0;
    const transfers = flows.inCount[i]! + flows.outCount[i]!;
    f.nightShare[i] = transfers ? flows.nightCount[i]! / transfers : 0;
    f.velocity[i] = transfers / f.activeDays[i]!;
    f.logAmountMean[i] = flows.outCount[i]! ? flows.logAmountSum[i]! / flows.outCount[i]! : Number.NaN;
  }
  // The pairs in the account graph's edge order (po.pairs), so each sum adds in the order a walk
  // over the graph's edges would.
  const { pairFrom, pairTo, pairAmount } = flows;
  for (let k = 0; k < po.pairs.length; k++) {
    const p = po.pairs[k]!;
    const a = pairFrom[p]!;
    const b = pairTo[p]!;
    if (isHub[b]) f.hubOutShare[a]! += pairAmount[p]!;
    else f.coreOutDegree[a]!++;
    if (isHub[a]) f.hubInShare[b]! += pairAmount[p]!;
    else f.coreInDegree[b]!++;
  }
  for (let i = 0; i < n; i++) {
    f.hubOutShare[i] = c.outStrength[i]! > 0 ? f.hubOutShare[i]! / c.outStrength[i]! : 0;
    f.hubInShare[i] = c.inStrength[i]! > 0 ? f.hubInShare[i]! / c.inStrength[i]! : 0;
  }
  const popularReceiver = Math.max(POPULAR_MIN, POPULAR_MEDIAN_FACTOR * median(c.inDegree));
  const popularPayer = Math.max(POPULAR_MIN, POPULAR_MEDIAN_FACTOR * median(c.outDegree));
  const toPopular = new Float64Array(n);
  const fromPopular = new Float64Array(n);
  for (let k = 0; k < po.pairs.length; k++) {
    const p = po.pairs[k]!;
    const a = pairFrom[p]!;
    const b = pairTo[p]!;
    if (isHub[b] || c.inDegree[b]! >= popularReceiver) toPopular[a]! += pairAmount[p]!;
    if (isHub[a] || c.outDegree[a]! >= popularPayer) fromPopular[b]! += pairAmount[p]!;
  }
  for (let i = 0; i < n; i++) {
    const total = c.outStrength[i]! + c.inStrength[i]!;
    f.ordinary[i] = total > 0 ? (toPopular[i]! + fromPopular[i]!) / total : 0;
  }
  f.medianVelocity = median(f.velocity);
  const amounts = Float64Array.from(f.logAmountMean.filter((x) => !Number.isNaN(x)));
  f.medianAmount = amounts.length ? Math.exp(median(amounts)) : 0;
  return f;
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
