// acctnet/analysis/same-amount: distinct senders paying one receiver exactly the same amount, where
// chance would rarely put that amount there that often. Smurfs feeding a collector are often told
// the sum to send; ordinary payers of one account choose their amounts, and where they all pay the
// same (a price, a fee, a shared bill) the amount is common elsewhere too, or the receiver is a hub.
//
// Per (receiver, amount to the cent) with k ≥ 2 distinct senders: how surprising k is if the
// receiver's transfers carried amounts drawn like everyone's — λ = (transfers to the receiver) ×
// (share of the window's transfers carrying that amount elsewhere, plus one), surprise =
// −log10 P(Poisson(λ) ≥ k). Label-free and scale-free: a common amount (round sums, a dataset where
// every amount is the same) has a large λ and no surprise; nothing depends on id formats or on the
// number of accounts. The rules (risk.ts) use a group whose surprise clears log10(transfers) + a
// margin — the chance of any such group in a window of independent amounts stays below 10^-margin —
// when two or more labelled fraud accounts are among its senders; the learned model gets the
// per-account surprise as two columns (feature-table.ts).

import { mix2 } from './mix.js';

/** Surprise is stored up to this (a group of dozens of identical payments is far beyond it). */
export const MAX_SURPRISE = 100;

export interface SameAmountGroups {
  /** Group g's distinct senders (account indices, ascending) are sender[start[g] .. start[g + 1]). */
  start: Uint32Array;
  sender: Uint32Array;
  receiver: Uint32Array;
  /** −log10 P(Poisson(λ) ≥ distinct senders), at most MAX_SURPRISE. */
  surprise: Float64Array;
  /** Transfers the groups were counted over (the rules' bar is log10 of this plus a margin). */
  transfers: number;
}

export const NO_SAME_AMOUNT: SameAmountGroups = {
  start: new Uint32Array(1),
  sender: new Uint32Array(0),
  receiver: new Uint32Array(0),
  surprise: new Float64Array(0),
  transfers: 0,
};

const LN10 = Math.LN10;

function lnFactorial(k: number): number {
  if (k < 2) return 0;
  if (k < 64) {
    let s = 0;
    for (let j = 2; j <= k; j++) s += Math.log(j);
    return s;
  }
  // Stirling's series: exact to ~1e-10 from 64 on.
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) + 1 / (12 * k) - 1 / (360 * k * k * k);
}

/** −log10 P(X ≥ k) for X ~ Poisson(lambda), at most MAX_SURPRISE. */
export function poissonSurprise(lambda: number, k: number): number {
  if (k <= 0) return 0;
  if (!(lambda > 0)) return MAX_SURPRISE;
  if (lambda < k) {
    // P(X ≥ k) = e^-λ λ^k / k! × Σ_{m ≥ 0} λ^m k! / (k + m)!  (the series converges fast for λ < k).
    let term = 1;
    let sum = 1;
    // Terms fall like exp(−m²/2k) at worst (λ just under k): 5,000 terms suffice far beyond any group
    // that is not a hub's.
    for (let m = 1; m < 5000; m++) {
      term *= lambda / (k + m);
      sum += term;
      if (term < 1e-15 * sum) break;
    }
    const lnP = -lambda + k * Math.log(lambda) - lnFactorial(k) + Math.log(sum);
    return Math.min(MAX_SURPRISE, Math.max(0, -lnP / LN10));
  }
  // λ ≥ k: the tail is not small (about a half or more); 1 − P(X < k), each term in log space so
  // that e^−λ cannot underflow for a large λ.
  if (!Number.isFinite(lambda)) return 0;
  const lnLambda = Math.log(lambda);
  let cdf = 0;
  let lnTerm = -lambda;
  for (let j = 0; j < k; j++) {
    cdf += Math.exp(lnTerm);
    lnTerm += lnLambda - Math.log(j + 1);
  }
  return Math.min(MAX_SURPRISE, Math.max(0, -Math.log10(Math.max(1e-300, 1 - Math.min(1, cdf)))));
}

/**
 * An amount in cents as a 29-bit key: the cents themselves below 2^28 (amounts under 2,684,354.56,
 * compared exactly), a 28-bit hash with the top bit set above (larger amounts that share a hash at
 * one receiver would count as one).
 */
function centsKey(cents: number): number {
  return cents < 0x10000000 ? cents : 0x10000000 | (mix2((cents % 4294967296) | 0, (cents / 4294967296) | 0) & 0x0fffffff);
}

const SENDER_SPAN = 2 ** 24;

/**
 * The groups, from the window's transfers as parallel arrays (sender and receiver as account indices
 * below 2^24, amounts in the base currency). Amounts are compared to the cent (amounts under half a
 * cent say nothing and are left out), exactly below 2,684,354.56 and through a 28-bit hash above
 * (centsKey). The window's amount frequencies are counted in a table of at most 2^22 cells, which
 * can only overstate them, so surprise is never overstated. Groups below `minSurprise` are not kept.
 */
export function sameAmountGroups(
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  amount: ArrayLike<number>,
  count: number,
  n: number,
  minSurprise = 2,
): SameAmountGroups {
  if (count < 2) return { ...NO_SAME_AMOUNT, transfers: count };
  // The amount's hash, or -1 for an amount that says nothing (under half a cent, not finite).
  // Computed again where needed rather than kept: 4 bytes per transfer less at the run's peak.
  const hashOf = (k: number) => {
    const cents = Math.round(amount[k]! * 100);
    return cents >= 1 && Number.isFinite(cents) ? centsKey(cents) : -1;
  };
  let cells = 1024;
  while (cells < count && cells < 1 << 22) cells *= 2;
  const mask = cells - 1;
  const freq = new Uint32Array(cells);
  // (receiver, amount) seen twice or more, in a hashed table of saturating counters: only those
  // transfers are sorted below (a cell shared by chance only lets a few more through).
  let pairCells = 1024;
  while (pairCells < 4 * count && pairCells < 1 << 24) pairCells *= 2;
  const pairMask = pairCells - 1;
  const seen = new Uint8Array(pairCells);
  const cell = (b: number, h: number) => mix2(b, h) & pairMask;
  const received = new Uint32Array(n);
  let counted = 0;
  for (let k = 0; k < count; k++) {
    const h = hashOf(k);
    if (h < 0) continue;
    freq[h & mask]!++;
    const b = to[k]!;
    received[b]!++;
    const c = cell(b, h);
    if (seen[c]! < 2) seen[c]!++;
    counted++;
  }
  // Those transfers by receiver (counting sort).
  const inCount = new Uint32Array(n + 1);
  for (let k = 0; k < count; k++) {
    const h = hashOf(k);
    if (h >= 0 && seen[cell(to[k]!, h)]! >= 2) inCount[to[k]! + 1]!++;
  }
  let longest = 0;
  for (let i = 0; i < n; i++) {
    if (inCount[i + 1]! > longest) longest = inCount[i + 1]!;
    inCount[i + 1]! += inCount[i]!;
  }
  const fill = inCount.slice(0, n);
  const order = new Uint32Array(inCount[n]!);
  for (let k = 0; k < count; k++) {
    const h = hashOf(k);
    if (h >= 0 && seen[cell(to[k]!, h)]! >= 2) order[fill[to[k]!]!++] = k;
  }
  const keys = new Float64Array(longest);
  const start: number[] = [0];
  const sender: number[] = [];
  const receiver: number[] = [];
  const surprise: number[] = [];
  for (let b = 0; b < n; b++) {
    const lo = inCount[b]!;
    const len = inCount[b + 1]! - lo;
    if (len < 2) continue;
    const seg = keys.subarray(0, len);
    for (let j = 0; j < len; j++) {
      const k = order[lo + j]!;
      seg[j] = hashOf(k) * SENDER_SPAN + from[k]!;
    }
    seg.sort();
    for (let j = 0; j < len;) {
      const h = Math.floor(seg[j]! / SENDER_SPAN);
      let e = j + 1;
      let distinct = 1;
      while (e < len && Math.floor(seg[e]! / SENDER_SPAN) === h) {
        if (seg[e] !== seg[e - 1]) distinct++;
        e++;
      }
      if (distinct >= 2) {
        // The amount's transfers elsewhere (this run's own left out), plus one: the amount is possible.
        const elsewhere = Math.max(0, freq[h & mask]! - (e - j)) + 1;
        const s = poissonSurprise((received[b]! * elsewhere) / counted, distinct);
        if (s >= minSurprise) {
          for (let x = j; x < e; x++) if (x === j || seg[x] !== seg[x - 1]) sender.push(seg[x]! - h * SENDER_SPAN);
          receiver.push(b);
          surprise.push(s);
          start.push(sender.length);
        }
      }
      j = e;
    }
  }
  return {
    start: Uint32Array.from(start),
    sender: Uint32Array.from(sender),
    receiver: Uint32Array.from(receiver),
    surprise: Float64Array.from(surprise),
    transfers: counted,
  };
}

/** Per account: the highest surprise of a group it sent in (`peers`) and of a group it received (`collected`); 0 where none. */
export function sameAmountByAccount(g: SameAmountGroups, n: number): { peers: Float64Array; collected: Float64Array } {
  const peers = new Float64Array(n);
  const collected = new Float64Array(n);
  for (let x = 0; x < g.receiver.length; x++) {
    const s = g.surprise[x]!;
    const b = g.receiver[x]!;
    if (s > collected[b]!) collected[b] = s;
    for (let k = g.start[x]!, end = g.start[x + 1]!; k < end; k++) {
      const a = g.sender[k]!;
      if (s > peers[a]!) peers[a] = s;
    }
  }
  return { peers, collected };
}
