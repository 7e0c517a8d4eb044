// acctnet/analysis/risk: an explainable score per account and per cluster.
//
// Evidence, each with a reason code (docs/outputs.md):
// - LABELLED_FRAUD: an investigator's label (the latest non-retracted one);
// - FUNDS_FROM_RISKY / FUNDS_TO_RISKY: the share of an account's money received from / passed on to
//   risky accounts, propagated along the money flow. Receiving fraud money is suspicious by itself;
//   sending money to a fraud account is only suspicious for an account that passes money through
//   (victims pay fraudsters too);
// - MIGRATED_FROM: the successor of a risky account inherits its risk, weighed by the link's score;
// - COORDINATED_BURST: a one-off transfer with a labelled fraud account, one of several such
//   transfers of that account within hours (a laundering pattern's fan, stack or walk); victims pay
//   a fraudster one at a time, over weeks;
// - BURST_CENTRE / BURST_SIBLING: the same burst seen from its unlabelled centre — an account whose
//   own burst includes a labelled fraud account (a fan-in's collector, a fan-out's source) — and
//   the centre's other one-off counterparties in that window (the other feeders), one hop further;
// - COLLECTED_FROM: one-off transfers received within hours from two or more payers that are
//   labelled fraud or carry evidence of their own (a burst, a trail, payers of one amount) — a
//   fan-in's collector of two feeders, a bipartite set's receiver; one such payer is not enough;
// - RELAYED: on a money trail from a labelled fraud account — one-off transfers passed on within
//   hours, less a cut (a chain, cycle or walk), or money that came back around such a trail;
// - SAME_AMOUNT_AS / SAME_AMOUNT_COLLECTOR: paid a non-hub receiver exactly the amount labelled
//   fraud accounts paid it, in a group of distinct payers that chance would almost never produce
//   (same-amount.ts) — smurfs told the sum to send — and that group's receiver, the collector;
// - CLUSTER_RISK: a cluster's risk reaches the members that take part in its flows;
// - TYPOLOGY: a ring, chain or fan whose members pass money through with no ordinary life;
// - PASS_THROUGH / NEW_HIGH_VELOCITY / NO_ORDINARY_ACTIVITY: the account's own behaviour.
// A legit label caps the score (LABELLED_LEGIT). Hubs (merchants, payroll) only get risk from labels.
import { compareIds } from './blacklist.js';
import type { Centrality } from './centrality.js';
import type { AccountFeatures } from './features.js';
import { pairAdjacency, type Flows } from './flows.js';
import type { Migration } from './migration.js';
import type { ClusterType, Typology } from './typology.js';

export type LabelValue = 'fraud' | 'legit';

export interface RiskOptions {
  /**
   * Risk passed on loses this factor per hop. Below 1 on purpose: with 1, risk circulating in a
   * dense graph (everyone pays everyone) feeds itself until every account reaches the threshold.
   * With 0.8 an account living on a labelled account's money scores 0.8, the next hop 0.64, and in a
   * dense graph where a fifth of everyone's inflow comes from labelled accounts, the fixed point
   * stays near 0.43.
   */
  hopDecay: number;
  /** How strongly risk flows to the receiver of money from a risky account. */
  inflowWeight: number;
  /** How strongly risk flows back to an account that passes money on to risky accounts. */
  outflowWeight: number;
  iterations: number;
  /** Most risk an account's own behaviour can give it without any network evidence. */
  behaviourCap: number;
  /** Cluster-type priors are this high for a cluster whose members all behave like mules. */
  typologyWeight: number;
  /** participation × forward share at which a member gets the whole cluster risk. */
  participationFull: number;
  /** Age (days) under which an account counts as new. */
  newAccountDays: number;
  /** Velocity multiple of the median that counts as high for a new account. */
  highVelocityFactor: number;
  legitCap: number;
  /** Coordinated bursts: one-off transfers (pairs of at most this many transfers)… */
  burstMaxPairTransfers: number;
  /** …at least this many of one account's (this one included)… */
  burstMinTransfers: number;
  /** …whose first transfers lie within ± this many hours of each other… */
  burstWindowHours: number;
  /** …and at least this multiple of what the account's own rate of new one-off pairs puts in such a window. */
  burstRateFactor: number;
  /** Relays: a one-off transfer passed on as another one-off transfer within this many hours… */
  relayWindowHours: number;
  /** …keeping at least this share of the amount (and never more than all of it). */
  relayMinShare: number;
  /**
   * At most this many onward transfers per incoming one (the earliest that match): a relay passes a
   * transfer on as one or two; a busy account's dozens of matches a day say nothing more and would
   * only cost memory.
   */
  relayMaxOnward: number;
  /** A money trail is followed while its evidence (hopDecay per relay) stays at or above this. */
  relayMinEvidence: number;
  /** A round trip (money sent along a trail that came back along it) counts within this many days. */
  roundTripDays: number;
  /**
   * A relay chain (relayChains) of at least this many transfers through an account is evidence by
   * itself (`RELAY_CHAIN`), labels or not: money passed on again and again within hours.
   */
  relayChainMin: number;
  /**
   * Same-amount groups (same-amount.ts) count as evidence when their surprise is at least
   * log10(transfers in the window) + this: with amounts drawn independently, the chance of any such
   * group in the window stays below 10^-sameAmountMargin.
   */
  sameAmountMargin: number;
  /** …and when at least this many of the group's payers are labelled fraud… */
  sameAmountMinLabelled: number;
  /** …making at least this share of its payers. */
  sameAmountMinLabelledShare: number;
  /**
   * A collector (`COLLECTED_FROM`): at least this many distinct payers, each paying once or twice
   * (a one-off pair, neither end a hub) within ± burstWindowHours of each other and faster than the
   * receiver's own pace of new one-off payers (burstRateFactor), that are themselves labelled fraud
   * or carry evidence of their own (a burst, a trail, payers of one amount) of at least
   * collectorMinPayerRisk.
   */
  collectorMinPayers: number;
  collectorMinPayerRisk: number;
}

export const RISK_DEFAULTS: RiskOptions = {
  hopDecay: 0.8,
  inflowWeight: 1,
  outflowWeight: 0.9,
  iterations: 12,
  behaviourCap: 0.35,
  typologyWeight: 0.8,
  participationFull: 0.5,
  newAccountDays: 90,
  highVelocityFactor: 3,
  legitCap: 0.1,
  burstMaxPairTransfers: 2,
  burstMinTransfers: 3,
  burstWindowHours: 12,
  burstRateFactor: 3,
  relayWindowHours: 24,
  relayMinShare: 0.8,
  relayMaxOnward: 4,
  relayMinEvidence: 0.45,
  roundTripDays: 10,
  relayChainMin: 4,
  sameAmountMargin: 2,
  sameAmountMinLabelled: 2,
  sameAmountMinLabelledShare: 0.1,
  collectorMinPayers: 2,
  collectorMinPayerRisk: 0.5,
};

const FLOW_TYPES: ReadonlySet<ClusterType> = new Set(['ring', 'layering', 'fan_in', 'fan_out']);

export interface RiskResult {
  score: Float64Array;
  /** How much the account's own behaviour looks like a mule's (0..1). */
  behaviour: Float64Array;
  reasons: string[][];
  clusterScore: Map<number, number>;
  clusterReasons: Map<number, string[]>;
}

export interface RiskInputs {
  /** The relations (one pair per graph edge) as typed arrays: the propagation loops run on these. */
  flows: Flows;
  c: Centrality;
  ids: readonly string[];
  f: AccountFeatures;
  isHub: Uint8Array;
  community: Int32Array;
  clusters: Map<number, string[]>;
  typologies: Map<number, Typology>;
  migrations: readonly Migration[];
  labels: ReadonlyMap<string, LabelValue>;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * What the rules derive from the graph alone, without labels: the same for every label set, so the
 * learned model's fold-wise runs (learned.ts) compute it once and propagate each fold's labels on it.
 */
export interface RiskPrep {
  inp: Omit<RiskInputs, 'labels'>;
  o: RiskOptions;
  n: number;
  /** How much the account's own behaviour looks like a mule's (0..1). */
  behaviour: Float64Array;
  ordinary: Float64Array;
  youth: Float64Array;
  /** Own behaviour's score (capped), 0 for hubs. */
  behaviourScore: Float64Array;
  velocityHigh: Uint8Array;
  typePrior: Map<number, number>;
  /** Per account, its migration predecessors (undefined for most): an index, not a map look-up per account and round. */
  predecessors: Array<Array<{ from: number; link: Migration }> | undefined>;
  /** The share of an account's money that moves inside its own cluster. */
  participation: Float64Array;
  /** Per pair: how repeated it is (paying a risky account once or twice is what victims do). */
  repeat: Float64Array;
  /** Cluster → member indices, in the clusters' order. */
  memberIndex: Map<number, Int32Array>;
  /**
   * The pairs by receiver and by sender (compressed rows, pairs in ascending order within each
   * account), with the amounts (and repeat) copied alongside: a propagation round then sums each
   * account's risk in one sequential run, in the same order as a pass over the pairs would, reading
   * only the other end's risk at random.
   */
  byReceiver: { start: Uint32Array; from: Uint32Array; amount: Float64Array };
  bySender: { start: Uint32Array; to: Uint32Array; amount: Float64Array; repeat: Float64Array };
  /** Per account, the counterparties of its one-off transfers that were part of a coordinated burst (coordinatedBursts). */
  burst: Bursts;
  relays: Relays;
  /** Per account, the longest relay chain through it (relayChains). */
  relayChain: Uint16Array;
  /** Per account, its one-off incoming pairs that arrived together with others (collections). */
  collections: Collections;
}

/** Per receiver i, entries start[i]..start[i+1]) ordered by time: the payer, when, how much. */
export interface Collections {
  start: Uint32Array;
  payer: Uint32Array;
  at: Float64Array;
  amount: Float64Array;
}

/**
 * The pairs of one account (ordered by first transfer) that arrived crowded: with at least
 * `minTogether` − 1 others within ± `w` ms, and more than `rateFactor` times what the account's own
 * pace of new one-off pairs (over its span, at least a week) would put in such a window. Calls
 * `take(k, lo, hi)` for each such pair k, with the window [lo, hi] around it. Shared by bursts and
 * collections.
 */
function forEachCrowded(
  ps: readonly number[],
  pairFirst: ArrayLike<number>,
  w: number,
  minTogether: number,
  rateFactor: number,
  take: (k: number, lo: number, hi: number) => void,
): void {
  const len = ps.length;
  if (len < minTogether) return;
  const span = Math.max(pairFirst[ps[len - 1]!]! - pairFirst[ps[0]!]!, 7 * 86_400_000);
  const expected = ((len - 1) * 2 * w) / span;
  let lo = 0;
  let hi = 0;
  for (let k = 0; k < len; k++) {
    const t = pairFirst[ps[k]!]!;
    while (pairFirst[ps[lo]!]! < t - w) lo++;
    while (hi + 1 < len && pairFirst[ps[hi + 1]!]! <= t + w) hi++;
    const near = hi - lo;
    if (near + 1 < minTogether || near < rateFactor * expected) continue;
    take(k, lo, hi);
  }
}

/**
 * Collections, from the graph alone: for each non-hub account, its incoming one-off pairs (at most
 * burstMaxPairTransfers transfers, the payer not a hub) ordered by their first transfer; a pair whose
 * first transfer has collectorMinPayers − 1 others within ± burstWindowHours, and burstRateFactor times
 * what the account's own pace of new one-off payers would put in such a window, is kept. Money gathered
 * from several new payers within hours; the labels decide later whether those payers are laundering.
 */
export function collections(flows: Flows, isHub: Uint8Array, o: RiskOptions, adj: ReturnType<typeof pairAdjacency>): Collections {
  const n = flows.ids.length;
  const { pairFrom, pairTransfers, pairFirst, pairAmount } = flows;
  const w = o.burstWindowHours * 3_600_000;
  const start = new Uint32Array(n + 1);
  const payer: number[] = [];
  const at: number[] = [];
  const amount: number[] = [];
  for (let x = 0; x < n; x++) {
    start[x] = payer.length;
    if (isHub[x]) continue;
    const ps = Array.from(adj.byReceiver.subarray(adj.inStart[x]!, adj.inStart[x + 1]!))
      .filter((p) => pairTransfers[p]! <= o.burstMaxPairTransfers && !isHub[pairFrom[p]!])
      .sort((a, b) => pairFirst[a]! - pairFirst[b]! || a - b);
    forEachCrowded(ps, pairFirst, w, o.collectorMinPayers, o.burstRateFactor, (k) => {
      payer.push(pairFrom[ps[k]!]!);
      at.push(pairFirst[ps[k]!]!);
      amount.push(pairAmount[ps[k]!]!);
    });
  }
  start[n] = payer.length;
  return { start, payer: Uint32Array.from(payer), at: Float64Array.from(at), amount: Float64Array.from(amount) };
}

/**
 * Relay steps (relaySteps): a one-off pair u → x (`into`) passed on by x as a one-off pair x → y
 * (`onward`). Indexed both ways as compressed rows over pairs: the steps leaving an incoming pair, and
 * the steps arriving at an onward pair.
 */
export interface Relays {
  /** Per pair p, steps byInto[intoStart[p]..intoStart[p+1]) are the onward pairs of p. */
  intoStart: Uint32Array;
  byInto: Uint32Array;
  /** Per pair q, steps byOnward[onwardStart[q]..onwardStart[q+1]) are the incoming pairs q passed on. */
  onwardStart: Uint32Array;
  byOnward: Uint32Array;
}

export interface Bursts {
  start: Uint32Array;
  other: Uint32Array;
  /** One-off transfers of the account in the window around this one (itself included). */
  size: Uint32Array;
  /** When the pair's first transfer was made (epoch ms). */
  at: Float64Array;
}

/**
 * Coordinated bursts, from the graph alone: for each account, its one-off pairs (at most
 * burstMaxPairTransfers transfers, the other end not a hub) ordered by their first transfer; a pair
 * whose first transfer has burstMinTransfers − 1 others of the account within ± burstWindowHours,
 * and burstRateFactor times what the account's own pace of new one-off pairs would put in such a
 * window, is part of a burst — unless three or more of the window's pairs carry exactly the same amount
 * (a shared bill, a fee, a collection; structured deposits just under a limit still differ). A laundering pattern moves money through its accounts in hours; a
 * fraudster's victims pay one at a time, and a busy account's ordinary new counterparties arrive at
 * its usual pace.
 */
export function coordinatedBursts(flows: Flows, isHub: Uint8Array, o: RiskOptions): Bursts {
  const n = flows.ids.length;
  const { pairFrom, pairTo, pairTransfers, pairFirst, pairAmount, pairCount } = flows;
  const count = new Uint32Array(n + 1);
  for (let p = 0; p < pairCount; p++) {
    if (pairTransfers[p]! > o.burstMaxPairTransfers) continue;
    if (!isHub[pairTo[p]!]) count[pairFrom[p]!]!++;
    if (!isHub[pairFrom[p]!]) count[pairTo[p]!]!++;
  }
  const segStart = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) segStart[i + 1] = segStart[i]! + count[i]!;
  const fill = segStart.slice(0, n);
  const seg = new Uint32Array(segStart[n]!);
  for (let p = 0; p < pairCount; p++) {
    if (pairTransfers[p]! > o.burstMaxPairTransfers) continue;
    if (!isHub[pairTo[p]!]) seg[fill[pairFrom[p]!]!++] = p;
    if (!isHub[pairFrom[p]!]) seg[fill[pairTo[p]!]!++] = p;
  }
  const w = o.burstWindowHours * 3_600_000;
  const start = new Uint32Array(n + 1);
  const other: number[] = [];
  const size: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    start[i] = other.length;
    const a = segStart[i]!;
    const len = segStart[i + 1]! - a;
    if (len < o.burstMinTransfers) continue;
    // Ordered by first transfer, then by pair (the pairs' order is the load's: sorted for determinism).
    const ps = Array.from(seg.subarray(a, a + len)).sort((x, y) => pairFirst[x]! - pairFirst[y]! || x - y);
    forEachCrowded(ps, pairFirst, w, o.burstMinTransfers, o.burstRateFactor, (k, lo, hi) => {
      const p = ps[k]!;
      // Exactly the same amount from or to three or more of them is a shared bill, a fee or a
      // collection; laundering splits money unevenly and loses a little at each hop.
      let same = 0;
      for (let j = lo; j <= hi; j++) if (Math.abs(pairAmount[ps[j]!]! - pairAmount[p]!) < 0.005) same++;
      if (same >= o.burstMinTransfers) return;
      other.push(pairFrom[p] === i ? pairTo[p]! : pairFrom[p]!);
      size.push(hi - lo + 1);
      at.push(pairFirst[p]!);
    });
  }
  start[n] = other.length;
  return { start, other: Uint32Array.from(other), size: Uint32Array.from(size), at: Float64Array.from(at) };
}

/**
 * Relay steps, from the graph alone: an account x received a one-off transfer (a pair of at most
 * burstMaxPairTransfers transfers, the other end not a hub) and made a one-off transfer within
 * relayWindowHours after it, of between relayMinShare and all of its amount. Money passed on within
 * hours, less a cut: a laundering chain, cycle or walk. Salaries, rent and shopping are repeated pairs
 * or hubs, and an ordinary person rarely pays on the same amount to someone new within the day.
 */
export function relaySteps(flows: Flows, isHub: Uint8Array, o: RiskOptions, adj: ReturnType<typeof pairAdjacency>): Relays {
  const n = flows.ids.length;
  const { pairFrom, pairTo, pairTransfers, pairFirst, pairAmount, pairCount } = flows;
  const oneOff = (p: number) => pairTransfers[p]! <= o.burstMaxPairTransfers && !isHub[pairFrom[p]!] && !isHub[pairTo[p]!];
  const byTime = (x: number, y: number) => pairFirst[x]! - pairFirst[y]! || x - y;
  const w = o.relayWindowHours * 3_600_000;
  const stepInto: number[] = [];
  const stepOnward: number[] = [];
  for (let x = 0; x < n; x++) {
    if (adj.inStart[x] === adj.inStart[x + 1] || adj.outStart[x] === adj.outStart[x + 1]) continue;
    const inList = Array.from(adj.byReceiver.subarray(adj.inStart[x]!, adj.inStart[x + 1]!))
      .filter(oneOff)
      .sort(byTime);
    const outList = Array.from(adj.bySender.subarray(adj.outStart[x]!, adj.outStart[x + 1]!))
      .filter(oneOff)
      .sort(byTime);
    if (!inList.length || !outList.length) continue;
    let lo = 0;
    for (const p of inList) {
      const t = pairFirst[p]!;
      while (lo < outList.length && pairFirst[outList[lo]!]! <= t) lo++;
      let taken = 0;
      for (let k = lo; k < outList.length && taken < o.relayMaxOnward; k++) {
        const q = outList[k]!;
        if (pairFirst[q]! > t + w) break;
        const share = pairAmount[q]! / pairAmount[p]!;
        if (share >= o.relayMinShare && share <= 1 && pairTo[q] !== pairFrom[p]) {
          stepInto.push(p);
          stepOnward.push(q);
          taken++;
        }
      }
    }
  }
  const count = stepInto.length;
  const index = (key: number[], value: number[]) => {
    const start = new Uint32Array(pairCount + 1);
    for (let k = 0; k < count; k++) start[key[k]! + 1]!++;
    for (let p = 0; p < pairCount; p++) start[p + 1]! += start[p]!;
    const fill = start.slice(0, pairCount);
    const out = new Uint32Array(count);
    for (let k = 0; k < count; k++) out[fill[key[k]!]!++] = value[k]!;
    return { start, out };
  };
  const a = index(stepInto, stepOnward);
  const b = index(stepOnward, stepInto);
  return { intoStart: a.start, byInto: a.out, onwardStart: b.start, byOnward: b.out };
}

/** Chains longer than this are counted as this long (a chain through a cycle of two-transfer pairs would not end). */
const MAX_CHAIN = 32;

/**
 * Relay chains, from the graph alone: for each account that relays (receives a one-off transfer and
 * passes it on, relaySteps), the most transfers on one chain of relay steps through it — money moved
 * u → x → y → z within hours, each keeping most of it. Label-free: a feature of the learned model and,
 * from relayChainMin transfers, evidence (`RELAY_CHAIN`). The chain's first sender and last receiver
 * get nothing: a victim pays into a chain, a shop is paid out of one.
 */
export function relayChains(flows: Pick<Flows, 'pairTo' | 'pairCount' | 'ids'>, relays: Relays): Uint16Array {
  const { pairTo, pairCount } = flows;
  // Longest chain (in transfers) ending with each pair, and starting with it: relaxed in rounds over
  // the steps (a chain gains at least one step per round), at most MAX_CHAIN rounds.
  const back = new Uint16Array(pairCount).fill(1);
  const fwd = new Uint16Array(pairCount).fill(1);
  const steps: number[] = [];
  for (let p = 0; p < pairCount; p++) if (relays.intoStart[p]! < relays.intoStart[p + 1]!) steps.push(p);
  for (let round = 0, moved = true; moved && round < MAX_CHAIN; round++) {
    moved = false;
    for (const p of steps)
      for (let k = relays.intoStart[p]!, end = relays.intoStart[p + 1]!; k < end; k++) {
        const q = relays.byInto[k]!;
        const b = Math.min(MAX_CHAIN, back[p]! + 1);
        if (b > back[q]!) {
          back[q] = b;
          moved = true;
        }
        const f = Math.min(MAX_CHAIN, fwd[q]! + 1);
        if (f > fwd[p]!) {
          fwd[p] = f;
          moved = true;
        }
      }
  }
  const chain = new Uint16Array(flows.ids.length);
  for (const p of steps) {
    const x = pairTo[p]!;
    for (let k = relays.intoStart[p]!, end = relays.intoStart[p + 1]!; k < end; k++) {
      const len = Math.min(MAX_CHAIN, back[p]! + fwd[relays.byInto[k]!]!);
      if (len > chain[x]!) chain[x] = len;
    }
  }
  return chain;
}

/**
 * Money trails from labelled fraud accounts, on a prepared graph: every pair with a labelled fraud
 * account starts a trail (evidence 1); a relay step passes it on forward (the receiver passed the
 * money on) and backward (the sender had just received what it sent), hopDecay per step, while the
 * evidence stays at or above relayMinEvidence. An unlabelled account on a relay step gets the step's
 * evidence (`RELAYED:<label>:<hops>`). A round trip — an account sent money along a trail and got it
 * back along a trail within roundTripDays, at least one of the two through a relay — is evidence too
 * (a cycle's first account sends first and receives last: it relays nothing). Paying a labelled
 * account, or receiving from one and keeping it, is not a relay: victims and relatives do that.
 */
export function relayTrails(prep: RiskPrep, label: Int8Array): Array<{ account: number; value: number; origin: number; hops: number }> {
  const { o, relays } = prep;
  const { isHub } = prep.inp;
  const { pairFrom, pairTo, pairFirst, pairCount } = prep.inp.flows;
  const trail = new Float64Array(pairCount);
  const origin = new Int32Array(pairCount).fill(-1);
  const hopsOf = new Uint8Array(pairCount);
  const best = new Map<number, { account: number; value: number; origin: number; hops: number }>();
  const credit = (account: number, value: number, from: number, hops: number) => {
    if (label[account] !== 0 || isHub[account]) return;
    const cur = best.get(account);
    if (!cur || value > cur.value) best.set(account, { account, value, origin: from, hops });
  };
  let frontier: number[] = [];
  for (let p = 0; p < pairCount; p++) {
    const l = label[pairFrom[p]!] === 1 ? pairFrom[p]! : label[pairTo[p]!] === 1 ? pairTo[p]! : -1;
    if (l < 0) continue;
    trail[p] = 1;
    origin[p] = l;
    frontier.push(p);
  }
  // Every pair on a trail (the round trips below read only these).
  const onTrail = [...frontier];
  const extend = (p: number, q: number, v: number, next: number[]) => {
    if (v <= trail[q]!) return;
    if (!(trail[q]! > 0)) onTrail.push(q);
    trail[q] = v;
    origin[q] = origin[p]!;
    hopsOf[q] = hopsOf[p]! + 1;
    next.push(q);
  };
  while (frontier.length) {
    const next: number[] = [];
    for (const p of frontier) {
      const v = trail[p]! * o.hopDecay;
      if (v < o.relayMinEvidence) continue;
      // The receiver passed p on (one credit, however many onward steps), then the trail goes on.
      const intoEnd = relays.intoStart[p + 1]!;
      if (relays.intoStart[p]! < intoEnd) credit(pairTo[p]!, v, origin[p]!, hopsOf[p]! + 1);
      for (let k = relays.intoStart[p]!; k < intoEnd; k++) extend(p, relays.byInto[k]!, v, next);
      // The sender had just received what it sent in p.
      const onwardEnd = relays.onwardStart[p + 1]!;
      if (relays.onwardStart[p]! < onwardEnd) credit(pairFrom[p]!, v, origin[p]!, hopsOf[p]! + 1);
      for (let k = relays.onwardStart[p]!; k < onwardEnd; k++) extend(p, relays.byOnward[k]!, v, next);
    }
    frontier = next;
  }
  const span = o.roundTripDays * 86_400_000;
  onTrail.sort((x, y) => x - y);
  const sent = new Map<number, number[]>();
  for (const p of onTrail) {
    if (label[pairFrom[p]!] !== 0) continue;
    const list = sent.get(pairFrom[p]!);
    if (list) list.push(p);
    else sent.set(pairFrom[p]!, [p]);
  }
  for (const p of onTrail) {
    for (const q of sent.get(pairTo[p]!) ?? []) {
      if (pairFirst[q]! >= pairFirst[p]! || pairFirst[p]! - pairFirst[q]! > span) continue;
      // Paying a labelled friend and being paid back by them is not a trail.
      if (hopsOf[p] === 0 && hopsOf[q] === 0) continue;
      const v = Math.min(trail[p]!, trail[q]!) * o.hopDecay;
      if (v >= o.relayMinEvidence) credit(pairTo[p]!, v, origin[p]!, hopsOf[p]! + 1);
    }
  }
  return [...best.values()].sort((x, y) => x.account - y.account);
}

export function prepareRisk(inp: Omit<RiskInputs, 'labels'>, options: Partial<RiskOptions> = {}): RiskPrep {
  const o = { ...RISK_DEFAULTS, ...options };
  const { c, f, isHub, community } = inp;
  const n = inp.ids.length;
  const idx = (node: string) => inp.flows.index.get(node)!;

  // Own behaviour: passes money through, has no ordinary life (merchants, payroll), is new.
  const behaviour = new Float64Array(n);
  const ordinary = new Float64Array(n);
  const youth = new Float64Array(n);
  const behaviourScore = new Float64Array(n);
  const velocityHigh = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    ordinary[i] = f.ordinary[i]!;
    youth[i] = Math.max(0, Math.min(1, 1 - f.ageDays[i]! / (2 * o.newAccountDays)));
    behaviour[i] = isHub[i] ? 0 : Math.min(1, 0.55 * f.forwardShare[i]! + 0.35 * (1 - ordinary[i]!) + 0.1 * youth[i]!);
    if (isHub[i]) continue;
    const high = f.ageDays[i]! < o.newAccountDays && f.velocity[i]! >= o.highVelocityFactor * Math.max(f.medianVelocity, 0.01);
    velocityHigh[i] = high ? 1 : 0;
    behaviourScore[i] = Math.min(o.behaviourCap, behaviour[i]! * o.behaviourCap + (high ? 0.1 : 0));
  }

  // Cluster type priors: flow-through shapes whose members behave like mules.
  const typePrior = new Map<number, number>();
  for (const [cid] of inp.clusters) {
    const t = inp.typologies.get(cid);
    if (!t || !FLOW_TYPES.has(t.type)) continue;
    // How mule-like the accounts forming the shape are (the cycle, the chain, the fan).
    const bs = t.core.map((m) => behaviour[idx(m)]!).sort((a, b) => a - b);
    const medianB = bs[bs.length >> 1] ?? 0;
    const prior = o.typologyWeight * medianB;
    if (prior > 0.2) typePrior.set(cid, prior);
  }

  const predecessors: RiskPrep['predecessors'] = new Array(n).fill(undefined);
  for (const l of inp.migrations) {
    if (!inp.flows.index.has(l.from) || !inp.flows.index.has(l.to)) continue;
    const to = idx(l.to);
    (predecessors[to] ??= []).push({ from: idx(l.from), link: l });
  }

  // Participation: the share of an account's money that moves inside its own cluster.
  const participation = new Float64Array(n);
  const { pairFrom, pairTo, pairAmount, pairTransfers, pairCount } = inp.flows;
  for (let p = 0; p < pairCount; p++) {
    const a = pairFrom[p]!;
    const b = pairTo[p]!;
    const cs = community[a]!;
    if (cs >= 0 && cs === community[b]) {
      participation[a]! += pairAmount[p]!;
      participation[b]! += pairAmount[p]!;
    }
  }
  for (let i = 0; i < n; i++) {
    const total = c.inStrength[i]! + c.outStrength[i]!;
    participation[i] = total > 0 ? Math.min(1, participation[i]! / total) : 0;
  }

  const repeat = new Float64Array(pairCount);
  for (let p = 0; p < pairCount; p++) repeat[p] = Math.min(1, pairTransfers[p]! / 3);
  const memberIndex = new Map([...inp.clusters].map(([cid, members]) => [cid, Int32Array.from(members, idx)]));
  const adj = pairAdjacency(inp.flows, n);
  const byReceiver = { start: adj.inStart, from: new Uint32Array(pairCount), amount: new Float64Array(pairCount) };
  const bySender = {
    start: adj.outStart,
    to: new Uint32Array(pairCount),
    amount: new Float64Array(pairCount),
    repeat: new Float64Array(pairCount),
  };
  for (let k = 0; k < pairCount; k++) {
    const p = adj.byReceiver[k]!;
    byReceiver.from[k] = pairFrom[p]!;
    byReceiver.amount[k] = pairAmount[p]!;
    const q = adj.bySender[k]!;
    bySender.to[k] = pairTo[q]!;
    bySender.amount[k] = pairAmount[q]!;
    bySender.repeat[k] = repeat[q]!;
  }
  const relays = relaySteps(inp.flows, isHub, o, adj);
  return {
    burst: coordinatedBursts(inp.flows, isHub, o),
    relays,
    relayChain: relayChains(inp.flows, relays),
    collections: collections(inp.flows, isHub, o, adj),
    inp,
    o,
    n,
    behaviour,
    ordinary,
    youth,
    behaviourScore,
    velocityHigh,
    typePrior,
    predecessors,
    participation,
    repeat,
    memberIndex,
    byReceiver,
    bySender,
  };
}

/** Labels by account index: 1 fraud, -1 legit, 0 none. */
export function labelVector(flows: Flows, labels: ReadonlyMap<string, LabelValue>): Int8Array {
  const label = new Int8Array(flows.ids.length);
  for (const [id, value] of labels) {
    const node = flows.index.get(id);
    if (node !== undefined) label[node] = value === 'fraud' ? 1 : -1;
  }
  return label;
}

/**
 * `explain: false` skips the reason texts (the learned model's fold-wise runs need only the scores).
 */
export function scoreRisk(inp: RiskInputs, options: Partial<RiskOptions> = {}, explain = true): RiskResult {
  return propagateRisk(prepareRisk(inp, options), labelVector(inp.flows, inp.labels), explain);
}

type Note = (i: number, code: string, value: number, text: string | (() => string)) => void;

/** The reason texts the spreading rounds note (only when reasons are wanted). */
interface RoundNotes {
  flows(i: number, inShare: number, fromRisky: number, outShare: number, toRisky: number): void;
  migration(i: number, inherited: number, link: Migration): void;
  cluster(i: number, cid: number, share: number, cs: number, byShape: boolean): void;
}

/** One label vector's run: its scores so far, the network evidence that spreads, and its reasons. */
interface RiskRun {
  label: Int8Array;
  score: Float64Array;
  spread: Float64Array;
  evidence: Array<Map<string, { value: number; text: string }> | undefined>;
  note: Note;
  notes: RoundNotes | undefined;
}

/** The rules' score for one label vector (1 fraud, -1 legit, 0 none, by account index) on a prepared graph. */
export function propagateRisk(prep: RiskPrep, label: Int8Array, explain = true): RiskResult {
  const run = seedRisk(prep, label, explain);
  return finishRisk(prep, run, spreadRounds(prep, [run])[0]!);
}

/**
 * The rules' scores for several label vectors at once, without reasons: for each, the numbers of
 * `propagateRisk(prep, label, false).score` (the same operations in the same order; each vector stops
 * at its own fixed point). The learned step's fold-wise runs: their rounds read each pair once for all
 * the vectors instead of once per vector (spreadRounds).
 */
export function propagateRiskScores(prep: RiskPrep, labels: readonly Int8Array[]): Float64Array[] {
  const runs = labels.map((label) => seedRisk(prep, label, false));
  spreadRounds(prep, runs);
  return runs.map((run) => {
    capLegit(prep, run);
    const { score } = run;
    for (let i = 0; i < prep.n; i++) score[i] = Math.round(score[i]! * 1000) / 1000;
    return score;
  });
}

/** Labels, own behaviour, bursts, payers of one amount and money trails: the evidence before it spreads. */
function seedRisk(prep: RiskPrep, label: Int8Array, explain: boolean): RiskRun {
  const { inp, o, n, behaviour, ordinary } = prep;
  const { f, isHub } = inp;

  const score = new Float64Array(n);
  // Network evidence only (labels, flows with risky accounts, migration, clusters): what spreads.
  // Behaviour alone never spreads, or a cluster of busy new accounts would talk itself into risk.
  const spread = new Float64Array(n);
  // One map per account only when reasons are wanted (the fold-wise runs of the learned model skip them).
  // Made on an account's first note: most accounts get none, and a million empty maps were a
  // measurable share of the garbage collector's work at 10M transfers.
  const evidence: Array<Map<string, { value: number; text: string }> | undefined> = explain ? new Array(n).fill(undefined) : [];
  const note: Note = (i, code, value, text) => {
    if (!explain) return;
    let own = evidence[i];
    if (own === undefined) own = evidence[i] = new Map();
    const cur = own.get(code);
    if (cur && value < cur.value) return;
    // On a tie the text that sorts first: which of two labelled accounts an account's burst or trail
    // names must not follow the window's index order (it changed between nights, and the changed
    // reason re-sent the entry to every gateway).
    const t = typeof text === 'string' ? text : text();
    if (!cur || value > cur.value || compareIds(t, cur.text) < 0) own.set(code, { value, text: t });
  };
  const raise = (i: number, value: number, network = true) => {
    if (value > score[i]!) score[i] = value;
    if (network && value > spread[i]!) spread[i] = value;
  };
  // Evidence of its own near a label (bursts, payers of one amount, trails), which does not spread:
  // what makes a payer count as laundering for its collector (below).
  const local = new Float64Array(n);
  const raiseLocal = (i: number, value: number) => {
    raise(i, value, false);
    if (value > local[i]!) local[i] = value;
  };
  // BURST_SIBLING's centres, per sibling (kept apart from local: see the collector below).
  const siblingVia = new Map<number, Set<number>>();

  // Behaviour alone: capped, it never lists an account by itself.
  for (let i = 0; i < n; i++) {
    if (label[i] === 1) {
      raise(i, 1);
      note(i, 'LABELLED_FRAUD', 1, 'LABELLED_FRAUD');
      continue;
    }
    if (isHub[i]) continue;
    if (explain) {
      const b = behaviour[i]!;
      if (f.forwardShare[i]! >= 0.6 && ordinary[i]! < 0.2)
        note(i, 'PASS_THROUGH', b, () => `PASS_THROUGH:${pct(f.forwardShare[i]!)} of inflow sent on within the holding window`);
      if (prep.velocityHigh[i])
        note(
          i,
          'NEW_HIGH_VELOCITY',
          0.1,
          () => `NEW_HIGH_VELOCITY:${Math.round(f.ageDays[i]!)} days old, ${r2(f.velocity[i]!)} transfers/day`,
        );
      if (ordinary[i]! < 0.05 && b > 0.3) note(i, 'NO_ORDINARY_ACTIVITY', 0.05, 'NO_ORDINARY_ACTIVITY:no merchant spending or salary');
      const chain = prep.relayChain[i]!;
      if (chain >= o.relayChainMin) note(i, 'RELAY_CHAIN', o.behaviourCap, () => `RELAY_CHAIN:${chain}`);
    }
    raise(i, prep.behaviourScore[i]!, false);
  }

  const noteFlows = (i: number, inShare: number, fromRisky: number, outShare: number, toRisky: number) => {
    if (fromRisky > 0.05) note(i, 'FUNDS_FROM_RISKY', fromRisky, () => `FUNDS_FROM_RISKY:${pct(inShare)} of inflow from risky accounts`);
    if (toRisky > 0.05)
      note(
        i,
        'FUNDS_TO_RISKY',
        toRisky,
        () => `FUNDS_TO_RISKY:${pct(outShare)} of outflow to risky accounts, repeatedly, from a young or relay account`,
      );
  };
  const noteBurst = (i: number, l: number, size: number) =>
    note(i, 'COORDINATED_BURST', o.hopDecay, () => `COORDINATED_BURST:${inp.ids[l]}:${size}`);
  const noteBurstCentre = (i: number, l: number, size: number) =>
    note(i, 'BURST_CENTRE', o.hopDecay, () => `BURST_CENTRE:${inp.ids[l]}:${size}`);
  const noteBurstSibling = (i: number, x: number, size: number) =>
    note(i, 'BURST_SIBLING', o.hopDecay * o.hopDecay, () => `BURST_SIBLING:${inp.ids[x]}:${size}`);
  const noteSameAmount = (
    i: number,
    code: 'SAME_AMOUNT_AS' | 'SAME_AMOUNT_COLLECTOR',
    value: number,
    named: number,
    labelled: number,
    size: number,
  ) => note(i, code, value, () => `${code}:${inp.ids[named]}:${labelled}/${size}`);
  const noteRelay = (i: number, value: number, l: number, hops: number) => note(i, 'RELAYED', value, () => `RELAYED:${inp.ids[l]}:${hops}`);
  const noteMigration = (i: number, inherited: number, link: Migration) =>
    note(i, 'MIGRATED_FROM', inherited, () => `MIGRATED_FROM:${link.from}:${r2(link.score)}`);
  const noteCluster = (i: number, cid: number, share: number, cs: number, byShape: boolean) => {
    if (byShape) {
      const t = inp.typologies.get(cid)!;
      note(i, 'TYPOLOGY', share, () => `TYPOLOGY:${t.type}`);
    } else note(i, 'CLUSTER_RISK', share, () => `CLUSTER_RISK:${r2(cs)}`);
  };

  // Coordinated bursts around labelled fraud accounts: evidence one hop from a label.
  const { burst } = prep;
  for (let l = 0; l < n; l++) {
    if (label[l] !== 1) continue;
    for (let k = burst.start[l]!, end = burst.start[l + 1]!; k < end; k++) {
      const x = burst.other[k]!;
      if (label[x] !== 0 || isHub[x]) continue;
      if (explain) noteBurst(x, l, burst.size[k]!);
      // Not spread further: the pattern's accounts are ordinary people, and their friends, clusters
      // and landlords are not in the pattern (spreading it listed more look-alikes on the tuning seeds).
      raiseLocal(x, o.hopDecay);
    }
  }
  // The other way round: an unlabelled account whose own burst includes a labelled fraud account is
  // the pattern's centre (a fan-in's collector, a fan-out's source); the burst's other one-off
  // transfers within the window of the labelled one are its siblings (the other feeders).
  {
    const w = o.burstWindowHours * 3_600_000;
    for (let x = 0; x < n; x++) {
      if (label[x] !== 0 || isHub[x]) continue;
      const a = burst.start[x]!;
      const end = burst.start[x + 1]!;
      for (let k = a; k < end; k++) {
        const l = burst.other[k]!;
        if (label[l] !== 1) continue;
        if (explain) noteBurstCentre(x, l, burst.size[k]!);
        raiseLocal(x, o.hopDecay);
        const t = burst.at[k]!;
        for (let j = a; j < end; j++) {
          const y = burst.other[j]!;
          if (j === k || label[y] !== 0 || isHub[y] || Math.abs(burst.at[j]! - t) > w) continue;
          if (explain) noteBurstSibling(y, x, burst.size[j]!);
          raise(y, o.hopDecay * o.hopDecay, false);
          // A sibling's evidence comes through its centre: it does not make that centre a collector.
          const via = siblingVia.get(y);
          if (via) via.add(x);
          else siblingVia.set(y, new Set([x]));
        }
      }
    }
  }

  // Paying a receiver the very amount labelled fraud accounts paid it, in a group chance would not
  // produce: the other payers and the receiver. Only with sameAmountMinLabelled labelled payers
  // making at least sameAmountMinLabelledShare of the group: one fraudster who split a bill with
  // friends (it listed friends splitting bills on the tuning worlds), or two among a club's forty
  // members paying its fee, do not make the others suspects. From labelled payers only — a
  // scammer's victims pay it the same price. Not spread further, as bursts. The reasons name
  // what stays the same from night to night: the receiver (for its payers) and the labelled payer
  // with the smallest id (for the receiver), not an index that follows the window's order.
  {
    const g = inp.flows.sameAmount;
    const bar = Math.log10(Math.max(10, g.transfers)) + o.sameAmountMargin;
    for (let x = 0; x < g.receiver.length; x++) {
      const b = g.receiver[x]!;
      if (g.surprise[x]! < bar || isHub[b]) continue;
      const lo = g.start[x]!;
      const hi = g.start[x + 1]!;
      let l = -1;
      let labelled = 0;
      for (let k = lo; k < hi; k++) {
        const a = g.sender[k]!;
        if (label[a] !== 1) continue;
        if (l < 0 || compareIds(inp.ids[a]!, inp.ids[l]!) < 0) l = a;
        labelled++;
      }
      const size = hi - lo;
      if (labelled < o.sameAmountMinLabelled || labelled < o.sameAmountMinLabelledShare * size) continue;
      const value = o.hopDecay;
      for (let k = lo; k < hi; k++) {
        const a = g.sender[k]!;
        if (label[a] !== 0 || isHub[a]) continue;
        if (explain) noteSameAmount(a, 'SAME_AMOUNT_AS', value, b, labelled, size);
        raiseLocal(a, value);
      }
      if (label[b] === 0) {
        if (explain) noteSameAmount(b, 'SAME_AMOUNT_COLLECTOR', value, l, labelled, size);
        raiseLocal(b, value);
      }
    }
  }

  // Money trails from labelled fraud accounts: relays and round trips (relayTrails). Not spread
  // further, as bursts: the trail itself is the evidence.
  for (const t of relayTrails(prep, label)) {
    if (explain) noteRelay(t.account, t.value, t.origin, t.hops);
    raiseLocal(t.account, t.value);
  }

  // A collector: money gathered within hours from several new payers that are themselves labelled
  // fraud or carry evidence of their own (local, above) — a fan-in's sink, a bipartite set's
  // receiver. One payer is not enough: a fraudster pays relatives and landlords, and a victim's
  // money goes the other way. Exactly the same amount from two of them is a shared bill, not counted.
  // Worth hopDecay × the weaker of the strongest collectorMinPayers payers; not spread further, and
  // not read by another collector (the payers' evidence is taken before this step).
  {
    const { collections: col } = prep;
    const w = o.burstWindowHours * 3_600_000;
    const m = o.collectorMinPayers;
    const found: Array<{ x: number; value: number; named: number; payers: number }> = [];
    // A payer's evidence for collector x: a label, or its own evidence near one — a burst's sibling
    // only through a centre other than x (x's own burst made it a sibling: that is x's evidence, BURST_CENTRE).
    const sibling = o.hopDecay * o.hopDecay;
    const risk = (a: number, x: number) => {
      if (label[a] !== 0) return label[a] === 1 ? 1 : 0;
      const via = siblingVia.get(a);
      return via && (via.size > 1 || !via.has(x)) ? Math.max(local[a]!, sibling) : local[a]!;
    };
    for (let x = 0; x < n; x++) {
      if (label[x] !== 0 || isHub[x]) continue;
      const a = col.start[x]!;
      const end = col.start[x + 1]!;
      let best = 0;
      let named = -1;
      let payers = 0;
      for (let k = a; k < end; k++) {
        const rk = risk(col.payer[k]!, x);
        if (rk < o.collectorMinPayerRisk) continue;
        const near: number[] = [rk];
        let smallest = col.payer[k]!;
        // Entries are in time order: only the window around k.
        let j0 = k;
        while (j0 > a && col.at[k]! - col.at[j0 - 1]! <= w) j0--;
        for (let j = j0; j < end && col.at[j]! - col.at[k]! <= w; j++) {
          if (j === k) continue;
          const rj = risk(col.payer[j]!, x);
          if (rj < o.collectorMinPayerRisk || Math.abs(col.amount[j]! - col.amount[k]!) < 0.005) continue;
          near.push(rj);
          if (compareIds(inp.ids[col.payer[j]!]!, inp.ids[smallest]!) < 0) smallest = col.payer[j]!;
        }
        if (near.length < m) continue;
        near.sort((p, q) => q - p);
        const value = o.hopDecay * near[m - 1]!;
        if (value > best || (value === best && compareIds(inp.ids[smallest]!, inp.ids[named]!) < 0)) {
          best = value;
          named = smallest;
          payers = near.length;
        }
      }
      if (named >= 0) found.push({ x, value: best, named, payers });
    }
    for (const c of found) {
      if (explain) note(c.x, 'COLLECTED_FROM', c.value, () => `COLLECTED_FROM:${inp.ids[c.named]}:${c.payers}`);
      raise(c.x, c.value, false);
    }
  }
  return {
    label,
    score,
    spread,
    evidence,
    note,
    notes: explain ? { flows: noteFlows, migration: noteMigration, cluster: noteCluster } : undefined,
  };
}

/**
 * Spreads network evidence along money flows, migrations and clusters, round after round, for one
 * or more label vectors' runs at once. The runs' spreading evidence is held interleaved (account i
 * of run g at i × K + g), so a round reads each pair once for all the runs: the learned step's
 * fold-wise runs spent most of their time reading the same pairs once per fold. Each run sees the
 * same operations in the same order as on its own and stops at its own fixed point. Raises the runs'
 * scores; returns each run's cluster values (memberIndex's order, as of its last round).
 */
function spreadRounds(prep: RiskPrep, runs: readonly RiskRun[]): Float64Array[] {
  const { inp, o, n, ordinary, youth, typePrior, predecessors, participation, memberIndex } = prep;
  const { c, f, isHub } = inp;
  const K = runs.length;
  // Clusters as arrays (memberIndex's order): the rounds below read them without map lookups.
  const clusterIds = Array.from(memberIndex.keys());
  const clusterMembers = Array.from(memberIndex.values());
  const clusterPrior = new Float64Array(clusterIds.length);
  for (let k = 0; k < clusterIds.length; k++) clusterPrior[k] = typePrior.get(clusterIds[k]!) ?? 0;
  const clusterValue = runs.map(() => new Float64Array(clusterIds.length));
  const { start: inStart, from: inFrom, amount: inAmount } = prep.byReceiver;
  const { start: outStart, to: outTo, amount: outAmount, repeat: outRepeat } = prep.bySender;
  const spread = new Float64Array(n * K);
  for (let g = 0; g < K; g++) {
    const own = runs[g]!.spread;
    for (let i = 0; i < n; i++) spread[i * K + g] = own[i]!;
  }
  const inRisk = new Float64Array(n * K);
  const outRisk = new Float64Array(n * K);
  const previous = new Float64Array(n * K);
  const active = new Uint8Array(K).fill(1);
  const fromMembers = new Float64Array(K);
  // Only a single run notes reasons (propagateRisk with explain).
  const notes = K === 1 ? runs[0]!.notes : undefined;
  const raise = (run: RiskRun, i: number, at: number, value: number) => {
    if (value > run.score[i]!) run.score[i] = value;
    if (value > spread[at]!) spread[at] = value;
  };
  for (let round = 0; round < o.iterations; round++) {
    // A run stops once nothing moves any more (risk only grows, so this is a fixed point).
    let running = 0;
    for (let g = 0; g < K; g++) {
      if (!active[g]) continue;
      let moved = false;
      for (let at = g; at < n * K; at += K) {
        if (Math.abs(spread[at]! - previous[at]!) > 1e-4) moved = true;
        previous[at] = spread[at]!;
      }
      if (round > 0 && !moved) active[g] = 0;
      else running++;
    }
    if (running === 0) break;
    // Per account, its pairs in ascending order: the same sums as one pass over the pairs adding
    // amount × risk of the other end (a run that has stopped is summed too, and not read).
    // Run by run within an account: its pairs are read again from the first-level cache, and so are
    // the other ends' values, which the first run brought in with their neighbours'.
    for (let b = 0; b < n; b++) {
      const lo = inStart[b]!;
      const hi = inStart[b + 1]!;
      for (let g = 0; g < K; g++) {
        let sum = 0;
        for (let k = lo; k < hi; k++) sum += inAmount[k]! * spread[inFrom[k]! * K + g]!;
        inRisk[b * K + g] = sum;
      }
    }
    for (let a = 0; a < n; a++) {
      const lo = outStart[a]!;
      const hi = outStart[a + 1]!;
      for (let g = 0; g < K; g++) {
        let sum = 0;
        // Paying a fraud account once or twice is what victims do; paying it again and again is not.
        for (let k = lo; k < hi; k++) sum += outAmount[k]! * spread[outTo[k]! * K + g]! * outRepeat[k]!;
        outRisk[a * K + g] = sum;
      }
    }
    for (let i = 0; i < n; i++) {
      if (isHub[i]) continue;
      const preds = predecessors[i];
      for (let g = 0; g < K; g++) {
        const run = runs[g]!;
        if (!active[g] || run.label[i] !== 0) continue;
        const at = i * K + g;
        const inShare = c.inStrength[i]! > 0 ? inRisk[at]! / c.inStrength[i]! : 0;
        const outShare = c.outStrength[i]! > 0 ? outRisk[at]! / c.outStrength[i]! : 0;
        // Receiving fraud money is damning for an account with no ordinary life (mule, cash-out) and
        // weak for one that lives on salary and shopping (a relative, a landlord).
        const fromRisky = o.hopDecay * o.inflowWeight * inShare * (0.6 + 0.4 * (1 - ordinary[i]!));
        // Feeding risky accounts, repeatedly, with money that does not come from an ordinary life, as
        // a relay or a young account: a romance-scam victim pays repeatedly too, from an old account
        // that lives on its salary.
        const toRisky = o.hopDecay * o.outflowWeight * outShare * (1 - ordinary[i]!) * Math.max(f.forwardShare[i]!, youth[i]!);
        // The texts in a function of their own: closures in this loop's body would allocate a context
        // per account and round even when no reason is wanted.
        if (notes) notes.flows(i, inShare, fromRisky, outShare, toRisky);
        raise(run, i, at, fromRisky);
        raise(run, i, at, toRisky);
        if (preds)
          for (let k = 0; k < preds.length; k++) {
            const p = preds[k]!;
            const inherited = spread[p.from * K + g]! * p.link.score;
            if (notes && inherited > 0.05) notes.migration(i, inherited, p.link);
            raise(run, i, at, inherited);
          }
      }
    }
    // Clusters: the strongest evidence among members, spread to the members who take part.
    for (let k = 0; k < clusterIds.length; k++) {
      const cid = clusterIds[k]!;
      const members = clusterMembers[k]!;
      // The strongest member evidence, weighed by how much that member's money moves inside.
      fromMembers.fill(0);
      for (let m = 0; m < members.length; m++) {
        const i = members[m]!;
        for (let g = 0; g < K; g++) fromMembers[g] = Math.max(fromMembers[g]!, spread[i * K + g]! * participation[i]!);
      }
      const prior = clusterPrior[k]!;
      for (let g = 0; g < K; g++) {
        if (!active[g]) continue;
        const run = runs[g]!;
        // Evidence from members is one hop away from the member it reaches; the shape is not.
        const cs = Math.max(o.hopDecay * fromMembers[g]!, prior);
        clusterValue[g]![k] = cs;
        if (cs < 0.05) continue;
        for (let m = 0; m < members.length; m++) {
          const i = members[m]!;
          if (isHub[i] || run.label[i] !== 0) continue;
          // Taking part in a risky cluster's flows counts as much as the account passes the cluster's
          // money through: a victim or a relative gets little of it, a mule all of it. (Cash-out
          // accounts that keep the money are reached by FUNDS_FROM_RISKY instead.)
          const share = cs * Math.min(1, (participation[i]! * f.forwardShare[i]!) / o.participationFull);
          if (notes && share > 0.05) notes.cluster(i, cid, share, cs, prior >= fromMembers[g]! && prior > 0.05);
          raise(run, i, i * K + g, share);
        }
      }
    }
  }
  return clusterValue;
}

/** Labelled legit accounts capped (their reasons replaced by the label). */
function capLegit(prep: RiskPrep, run: RiskRun): void {
  const { label, score, evidence, note } = run;
  for (let i = 0; i < prep.n; i++) {
    if (label[i] === -1) {
      score[i] = Math.min(score[i]!, prep.o.legitCap);
      evidence[i]?.clear();
      note(i, 'LABELLED_LEGIT', 1, 'LABELLED_LEGIT');
    }
  }
}

/** A run's result: legit labels capped, clusters' scores and reasons, accounts' reasons, scores rounded. */
function finishRisk(prep: RiskPrep, run: RiskRun, clusterValue: Float64Array): RiskResult {
  const { inp, n, o, behaviour, typePrior, memberIndex } = prep;
  const { label, score, evidence } = run;
  const clusterScore = new Map<number, number>();
  const clusterReasons = new Map<number, string[]>();
  // clusterValue is in memberIndex's order, one value per cluster once a round ran.
  if (o.iterations > 0) {
    let k = 0;
    for (const cid of memberIndex.keys()) clusterScore.set(cid, clusterValue[k++]!);
  }
  capLegit(prep, run);
  for (const [cid, cs] of clusterScore) {
    const members = memberIndex.get(cid)!;
    const reasons: string[] = [];
    let labelled = 0;
    for (const i of members) if (label[i] === 1) labelled++;
    if (labelled) reasons.push(`LABELLED_FRAUD_MEMBERS:${labelled}`);
    const t = inp.typologies.get(cid);
    if (t && typePrior.has(cid)) reasons.push(`TYPOLOGY:${t.type}`);
    let risky = 0;
    for (const i of members) if (score[i]! >= 0.5) risky++;
    if (risky) reasons.push(`RISKY_MEMBERS:${risky}/${members.length}`);
    clusterReasons.set(cid, reasons);
    clusterScore.set(cid, r2(cs));
  }
  const none: string[] = [];
  const reasons = !run.notes
    ? Array.from({ length: n }, () => none)
    : evidence.map((e) =>
        e === undefined ? [] : [...e.values()].sort((a, b) => b.value - a.value || (a.text < b.text ? -1 : 1)).map((x) => x.text),
      );
  for (let i = 0; i < n; i++) score[i] = Math.round(score[i]! * 1000) / 1000;
  return { score, behaviour, reasons, clusterScore, clusterReasons };
}
