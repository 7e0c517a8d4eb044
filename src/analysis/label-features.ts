// acctnet/analysis/label-features: what the labels say about an account's surroundings — money from
// and to labelled fraud accounts, proximity along money flows (personalised PageRank from labelled
// accounts), labelled members of its cluster, a labelled predecessor, and the rules' risk score —
// computed for a given set of labels, so the learned model can get them fold-wise: an account's own
// label (and those of its fold) never feed its own features.
//
// Proximity is the SUM over labelled seeds of each seed's personalised PageRank (restart 0.5, so
// it stays local: a few hops). A sum, not a mean: "just downstream of one fraud account" is the same
// number whether 50 or 5,000 accounts are labelled, so training (fold-wise, fewer labels) and
// scoring (all labels) see the same scale.
import { pairAdjacency, type Flows } from './flows.js';

export const LABEL_FEATURE_COLUMNS = [
  { name: 'fraud_in_share', text: 'share of inflow from labelled fraud accounts', unit: 'share' },
  { name: 'fraud_out_share', text: 'share of outflow to labelled fraud accounts', unit: 'share' },
  { name: 'legit_in_share', text: 'share of inflow from accounts labelled legit', unit: 'share' },
  { name: 'fraud_downstream', text: 'closeness downstream of labelled fraud accounts (money from them reaches it)', unit: 'score' },
  { name: 'fraud_upstream', text: 'closeness upstream of labelled fraud accounts (its money reaches them)', unit: 'score' },
  { name: 'legit_proximity', text: 'closeness to accounts labelled legit', unit: 'score' },
  { name: 'cluster_fraud_share', text: 'share of its cluster labelled fraud (itself excluded)', unit: 'share' },
  { name: 'fraud_predecessor', text: 'link score to a labelled fraud account it took over from', unit: 'score' },
  { name: 'rules_score', text: 'the rules’ risk score (flows, cluster, shape, migration)', unit: 'score' },
] as const;

export type LabelFeatureName = (typeof LABEL_FEATURE_COLUMNS)[number]['name'];

export interface LabelFeatureInput {
  flows: Flows;
  isHub: Uint8Array;
  community: Int32Array;
  /** Migration links as account indices. */
  migrations: ReadonlyArray<{ from: number; to: number; score: number }>;
  /** Restart probability of the personalised PageRank. */
  restart?: number;
  iterations?: number;
}

/** Per-account weights of the money flows, computed once per run and shared by every fold. */
export interface FlowMatrix {
  outStrength: Float64Array;
  inStrength: Float64Array;
  /** Per pair: its share of the sender's outflow (0 from a hub: walks stop there) and of the receiver's inflow (0 into a hub). */
  downWeight: Float64Array;
  upWeight: Float64Array;
  clusterSize: Map<number, number>;
  /**
   * The same weights by account (compressed rows, pairs in ascending order within each account):
   * per receiver its senders and downWeight, per sender its receivers and upWeight. A proximity step
   * then sums each account's mass in one sequential run, in the order a pass over the pairs would.
   */
  byReceiver: { start: Uint32Array; from: Uint32Array; weight: Float64Array };
  bySender: { start: Uint32Array; to: Uint32Array; weight: Float64Array };
}

export function flowMatrix(inp: LabelFeatureInput): FlowMatrix {
  const n = inp.flows.ids.length;
  const outStrength = new Float64Array(n);
  const inStrength = new Float64Array(n);
  const { pairFrom, pairTo, pairAmount, pairCount } = inp.flows;
  for (let p = 0; p < pairCount; p++) {
    outStrength[pairFrom[p]!]! += pairAmount[p]!;
    inStrength[pairTo[p]!]! += pairAmount[p]!;
  }
  const downWeight = new Float64Array(pairCount);
  const upWeight = new Float64Array(pairCount);
  for (let p = 0; p < pairCount; p++) {
    const a = pairFrom[p]!;
    const b = pairTo[p]!;
    downWeight[p] = inp.isHub[a] ? 0 : pairAmount[p]! / outStrength[a]!;
    upWeight[p] = inp.isHub[b] ? 0 : pairAmount[p]! / inStrength[b]!;
  }
  const clusterSize = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = inp.community[i]!;
    if (c >= 0) clusterSize.set(c, (clusterSize.get(c) ?? 0) + 1);
  }
  const adj = pairAdjacency(inp.flows, n);
  const byReceiver = { start: adj.inStart, from: new Uint32Array(pairCount), weight: new Float64Array(pairCount) };
  const bySender = { start: adj.outStart, to: new Uint32Array(pairCount), weight: new Float64Array(pairCount) };
  for (let k = 0; k < pairCount; k++) {
    const p = adj.byReceiver[k]!;
    byReceiver.from[k] = pairFrom[p]!;
    byReceiver.weight[k] = downWeight[p]!;
    const q = adj.bySender[k]!;
    bySender.to[k] = pairTo[q]!;
    bySender.weight[k] = upWeight[q]!;
  }
  return { outStrength, inStrength, downWeight, upWeight, clusterSize, byReceiver, bySender };
}

/**
 * Label features for every account given a label vector (1 fraud, -1 legit, 0 none) and the rules'
 * score computed with the same labels. Returns one Float64Array per column, in LABEL_FEATURE_COLUMNS order.
 */
/**
 * Scratch arrays for computeLabelFeatures, to pass to repeated calls (the learned model's folds):
 * the columns a call returns are then views of these arrays, valid until the next call with the same
 * work. Without it every call allocates its own (sixteen arrays of n numbers, ~13 MB at 100k accounts,
 * which at 1M transfers cost a full garbage collection of the analysis' heap every few folds).
 */
export interface LabelFeatureWork {
  buffers: Float64Array[];
}

export function labelFeatureWork(): LabelFeatureWork {
  return { buffers: [] };
}

export function computeLabelFeatures(
  inp: LabelFeatureInput,
  m: FlowMatrix,
  label: Int8Array,
  rulesScore: Float64Array,
  work?: LabelFeatureWork,
): Float64Array[] {
  const { flows, isHub, community } = inp;
  const n = flows.ids.length;
  const { pairFrom, pairTo, pairAmount, pairCount } = flows;
  // A zeroed array of n numbers: the next scratch array of `work`, or a new one.
  let used = 0;
  const take = (): Float64Array => {
    if (!work) return new Float64Array(n);
    let buf = work.buffers[used];
    if (buf === undefined || buf.length !== n) buf = work.buffers[used] = new Float64Array(n);
    else buf.fill(0);
    used++;
    return buf;
  };
  const fraudIn = take();
  const fraudOut = take();
  const legitIn = take();
  for (let p = 0; p < pairCount; p++) {
    const a = pairFrom[p]!;
    const b = pairTo[p]!;
    if (label[a] === 1) fraudIn[b]! += pairAmount[p]!;
    if (label[a] === -1) legitIn[b]! += pairAmount[p]!;
    if (label[b] === 1) fraudOut[a]! += pairAmount[p]!;
  }
  for (let i = 0; i < n; i++) {
    fraudIn[i] = m.inStrength[i]! > 0 ? fraudIn[i]! / m.inStrength[i]! : 0;
    legitIn[i] = m.inStrength[i]! > 0 ? legitIn[i]! / m.inStrength[i]! : 0;
    fraudOut[i] = m.outStrength[i]! > 0 ? fraudOut[i]! / m.outStrength[i]! : 0;
  }
  const restart = inp.restart ?? 0.5;
  const iterations = inp.iterations ?? 8;
  const fraudSeeds = take();
  const legitSeeds = take();
  let legitCount = 0;
  for (let i = 0; i < n; i++) {
    if (label[i] === 1) fraudSeeds[i] = 1;
    else if (label[i] === -1) {
      legitSeeds[i] = 1;
      legitCount++;
    }
  }
  const [down, up] = proximity(inp, m, fraudSeeds, restart, iterations, take);
  const legit = take();
  if (legitCount) {
    const [legitDown, legitUp] = proximity(inp, m, legitSeeds, restart, iterations, take);
    for (let i = 0; i < n; i++) legit[i] = (legitDown[i]! + legitUp[i]!) / 2;
  }
  // A seed's own restart mass is not proximity to others: remove it, so a labelled account's value
  // means the same as an unlabelled one's.
  for (let i = 0; i < n; i++) {
    if (label[i] === 1) {
      down[i] = Math.max(0, down[i]! - restart);
      up[i] = Math.max(0, up[i]! - restart);
    }
    if (label[i] === -1) legit[i] = Math.max(0, legit[i]! - restart);
  }
  const clusterFraud = new Map<number, number>();
  for (let i = 0; i < n; i++)
    if (label[i] === 1 && community[i]! >= 0) clusterFraud.set(community[i]!, (clusterFraud.get(community[i]!) ?? 0) + 1);
  const clusterShare = take();
  for (let i = 0; i < n; i++) {
    const c = community[i]!;
    if (c < 0) continue;
    const size = m.clusterSize.get(c)! - 1;
    const fraud = (clusterFraud.get(c) ?? 0) - (label[i] === 1 ? 1 : 0);
    clusterShare[i] = size > 0 ? fraud / size : 0;
  }
  const predecessor = take();
  for (const l of inp.migrations) if (label[l.from] === 1) predecessor[l.to] = Math.max(predecessor[l.to]!, l.score);
  for (let i = 0; i < n; i++) {
    if (isHub[i]) continue;
    down[i] = Math.log1p(down[i]! * 100);
    up[i] = Math.log1p(up[i]! * 100);
    legit[i] = Math.log1p(legit[i]! * 100);
  }
  return [fraudIn, fraudOut, legitIn, down, up, legit, clusterShare, predecessor, rulesScore];
}

/**
 * Sums of personalised PageRanks from the seeds (power iteration), both directions per iteration:
 * down follows money (the share of a sender's outflow that went to each receiver), up
 * goes against it (the share of a receiver's inflow that came from each sender). Hubs absorb: a walk
 * that reaches a merchant or a payroll account stops there, so an exchange or a shop that received
 * fraud money does not pass proximity on to all its other customers. With restart 0.5, 8 iterations
 * leave less than 0.4% of the mass unplaced.
 */
function proximity(
  inp: LabelFeatureInput,
  m: FlowMatrix,
  seeds: Float64Array,
  restart: number,
  iterations: number,
  take: () => Float64Array = () => new Float64Array(inp.flows.ids.length),
): [Float64Array, Float64Array] {
  const n = inp.flows.ids.length;
  let down = take();
  for (let i = 0; i < n; i++) down[i] = seeds[i]! * restart;
  let up = take();
  up.set(down);
  let nextDown = take();
  let nextUp = take();
  const carry = 1 - restart;
  const { start: inStart, from: inFrom, weight: downWeight } = m.byReceiver;
  const { start: outStart, to: outTo, weight: upWeight } = m.bySender;
  for (let it = 0; it < iterations; it++) {
    // Per account, its pairs in ascending order: the same sums as one pass over the pairs.
    for (let b = 0; b < n; b++) {
      let sum = restart * seeds[b]!;
      for (let k = inStart[b]!, end = inStart[b + 1]!; k < end; k++) sum += carry * down[inFrom[k]!]! * downWeight[k]!;
      nextDown[b] = sum;
    }
    for (let a = 0; a < n; a++) {
      let sum = restart * seeds[a]!;
      for (let k = outStart[a]!, end = outStart[a + 1]!; k < end; k++) sum += carry * up[outTo[k]!]! * upWeight[k]!;
      nextUp[a] = sum;
    }
    [down, nextDown] = [nextDown, down];
    [up, nextUp] = [nextUp, up];
  }
  return [down, up];
}
