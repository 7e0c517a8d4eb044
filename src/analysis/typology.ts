// acctnet/analysis/typology: the shape of a cluster's money flows, from its members' metrics and
// the directed transfers between them, with the numbers that decided it.
import type { AccountFeatures } from './features.js';
import type { Flows } from './flows.js';
import type { PairOrder } from './graph.js';
import { round3 } from './roles.js';

/**
 * What the typing reads of the account graph: the pairs in the graph's order (an account's pairs as a
 * sender in the order of their receivers' ids, as the graph's out-edges) and account indices by id.
 */
export interface TypologyNet {
  flows: Pick<Flows, 'index' | 'pairFrom' | 'pairTo' | 'pairAmount'>;
  po: PairOrder;
}

export type ClusterType = 'ring' | 'fan_in' | 'fan_out' | 'layering' | 'dense_clique' | 'benign_hub_like' | 'mixed';

export interface TypologyEvidence {
  size: number;
  /** Directed member-to-member relations. */
  edges: number;
  density: number;
  /** Share of relations that go both ways. */
  reciprocity: number;
  /** Members of the largest strongly connected set (money can go round). */
  cycleMembers: number;
  /** Longest chain of hops without repeating (in the acyclic condensation). */
  longestPath: number;
  /** The member most others pay into / are paid from, if any. */
  center: string | null;
  centerShare: number;
  centerForwardShare: number;
  medianForwardShare: number;
  medianAgeDays: number;
  /** Money moved between members, base currency. */
  internalAmount: number;
}

export interface Typology {
  type: ClusterType;
  evidence: TypologyEvidence;
  /** The members that form the typed structure (the cycle, the chain, the fan), for risk. */
  core: string[];
  /** Human-readable reasons, most important first. */
  notes: string[];
}

export interface TypologyOptions {
  /** Ring: the largest cycle set covers at least this share of members… */
  ringCoverage: number;
  /** …and has at most this many relations per member (a cycle, not a clique). */
  ringMaxEdgesPerMember: number;
  cliqueMinDensity: number;
  /** Fan: the centre is linked to at least this share of the other members. */
  fanMinShare: number;
  /** A centre that sends on less than this share of what it receives keeps the money: benign. */
  benignMaxForward: number;
  /** …and has at least this share of ordinary activity (shops, salary). */
  benignMinOrdinary: number;
  /** Rings and chains move money through: their members send on at least this share (median). */
  flowMinForward: number;
  /** A relay: a member that sends on at least this share of its inflow within the holding window. */
  relayMinForward: number;
  chainMinLength: number;
}

export const TYPOLOGY_DEFAULTS: TypologyOptions = {
  ringCoverage: 0.5,
  ringMaxEdgesPerMember: 1.6,
  cliqueMinDensity: 0.4,
  fanMinShare: 0.5,
  benignMaxForward: 0.3,
  benignMinOrdinary: 0.2,
  flowMinForward: 0.5,
  relayMinForward: 0.5,
  chainMinLength: 3,
};

/** Tarjan's strongly connected components (iterative, so any size); exported for tests. */
export function stronglyConnected(n: number, out: number[][]): number[] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const comp = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  let counter = 0;
  let compCount = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    // Iterative DFS: clusters can be a few thousand members.
    const work: Array<[number, number]> = [[root, 0]];
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, k] = top;
      if (k === 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = 1;
      }
      if (k < out[v]!.length) {
        top[1]++;
        const w = out[v]![k]!;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = compCount;
        } while (w !== v);
        compCount++;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
    }
  }
  return Array.from(comp);
}

/** Exported for tests. No spread of `comp` (one entry per member): that throws past ~10⁵ members. */
export function longestPathInCondensation(n: number, out: number[][], comp: number[]): number {
  let compCount = 0;
  for (const c of comp) if (c + 1 > compCount) compCount = c + 1;
  const cOut: Array<Set<number>> = Array.from({ length: compCount }, () => new Set());
  const indeg = new Int32Array(compCount);
  for (let v = 0; v < n; v++) {
    for (const w of out[v]!) {
      if (comp[v] !== comp[w] && !cOut[comp[v]!]!.has(comp[w]!)) {
        cOut[comp[v]!]!.add(comp[w]!);
        indeg[comp[w]!]!++;
      }
    }
  }
  const depth = new Int32Array(compCount);
  const queue: number[] = [];
  for (let c = 0; c < compCount; c++) if (indeg[c] === 0) queue.push(c);
  let longest = 0;
  for (let head = 0; head < queue.length; head++) {
    const c = queue[head]!;
    for (const d of cOut[c]!) {
      depth[d] = Math.max(depth[d]!, depth[c]! + 1);
      longest = Math.max(longest, depth[d]!);
      if (--indeg[d]! === 0) queue.push(d);
    }
  }
  return longest;
}

function medianOf(values: number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * The cluster's type from all its members; when that is inconclusive (mixed), the same shapes are
 * looked for among its relays only — a chain of mules inside a cluster that also holds their
 * victims and relatives is still a chain.
 */
export function classifyCluster(
  net: TypologyNet,
  members: readonly string[],
  f: AccountFeatures,
  options: Partial<TypologyOptions> = {},
): Typology {
  const o = { ...TYPOLOGY_DEFAULTS, ...options };
  const whole = detectShape(net, members, f, o);
  if (whole.type !== 'mixed') return whole;
  const relays = members.filter((m) => f.forwardShare[net.flows.index.get(m)!]! >= o.relayMinForward);
  if (relays.length < 3 || relays.length === members.length) return whole;
  const inner = detectShape(net, relays, f, o);
  if (inner.type === 'mixed' || inner.type === 'benign_hub_like' || inner.type === 'dense_clique') return whole;
  return {
    type: inner.type,
    core: inner.core,
    evidence: {
      ...whole.evidence,
      cycleMembers: inner.evidence.cycleMembers,
      longestPath: inner.evidence.longestPath,
      center: inner.evidence.center,
      centerShare: inner.evidence.centerShare,
      centerForwardShare: inner.evidence.centerForwardShare,
    },
    notes: [
      `among its ${relays.length} relay accounts (send on ≥ ${Math.round(o.relayMinForward * 100)}% quickly): ${inner.notes[0]}`,
      // The inner notes speak of the relays, not of the cluster's members (whose own median is in the evidence).
      ...inner.notes.slice(1).map((n) => n.replace(/^half the members /, 'half the relay accounts ')),
    ],
  };
}

function detectShape(net: TypologyNet, members: readonly string[], f: AccountFeatures, o: TypologyOptions): Typology {
  const n = members.length;
  const { index, pairTo, pairAmount } = net.flows;
  const { rank, pairs, outStart, reverse } = net.po;
  const indexOf = members.map((m) => index.get(m)!);
  // Members by account index (a member's position in `members`).
  const local = new Map(indexOf.map((i, k) => [i, k]));
  const out: number[][] = members.map(() => []);
  const inDeg = new Int32Array(n);
  const outDeg = new Int32Array(n);
  let edges = 0;
  let reciprocal = 0;
  let internalAmount = 0;
  for (let k = 0; k < n; k++) {
    const r = rank[indexOf[k]!]!;
    for (let e = outStart[r]!, end = outStart[r + 1]!; e < end; e++) {
      const p = pairs[e]!;
      const t = local.get(pairTo[p]!);
      if (t === undefined) continue;
      out[k]!.push(t);
      outDeg[k]!++;
      inDeg[t]!++;
      edges++;
      internalAmount += pairAmount[p]!;
      if (reverse[p]! >= 0) reciprocal++;
    }
  }
  const forwardOf = (k: number) => f.forwardShare[indexOf[k]!]!;
  const comp = stronglyConnected(n, out);
  const compSizes = new Map<number, number>();
  for (const c of comp) compSizes.set(c, (compSizes.get(c) ?? 0) + 1);
  let cycleComp = -1;
  let cycleMembers = 0;
  for (const [c, size] of compSizes) {
    if (size > cycleMembers) {
      cycleMembers = size;
      cycleComp = c;
    }
  }
  if (cycleMembers < 2) cycleMembers = 0;
  let cycleEdges = 0;
  for (let v = 0; v < n; v++) for (const w of out[v]!) if (comp[v] === cycleComp && comp[w] === cycleComp) cycleEdges++;
  const cycleForward = medianOf(
    members
      .map((_, k) => k)
      .filter((k) => comp[k] === cycleComp)
      .map(forwardOf),
  );
  // Intermediate hops of chains: members that both receive and send inside the cluster.
  const relayForward = medianOf(
    members
      .map((_, k) => k)
      .filter((k) => inDeg[k]! > 0 && outDeg[k]! > 0)
      .map(forwardOf),
  );
  const longestPath = longestPathInCondensation(n, out, comp);

  let centerIn = 0;
  let centerOut = 0;
  for (let k = 1; k < n; k++) {
    if (inDeg[k]! > inDeg[centerIn]!) centerIn = k;
    if (outDeg[k]! > outDeg[centerOut]!) centerOut = k;
  }
  const fanInShare = n > 1 ? inDeg[centerIn]! / (n - 1) : 0;
  const fanOutShare = n > 1 ? outDeg[centerOut]! / (n - 1) : 0;
  const fanIn = fanInShare >= fanOutShare;
  const center = fanIn ? centerIn : centerOut;
  const centerIdx = indexOf[center]!;
  const forwards = indexOf.map((i) => f.forwardShare[i]!).sort((a, b) => a - b);
  const ages = indexOf.map((i) => f.ageDays[i]!).sort((a, b) => a - b);
  const density = n > 1 ? edges / (n * (n - 1)) : 0;

  const evidence: TypologyEvidence = {
    size: n,
    edges,
    density: round3(density),
    reciprocity: edges ? round3(reciprocal / edges) : 0,
    cycleMembers,
    longestPath,
    center: members[center] ?? null,
    centerShare: round3(Math.max(fanInShare, fanOutShare)),
    centerForwardShare: round3(f.forwardShare[centerIdx]!),
    medianForwardShare: round3(forwards[forwards.length >> 1] ?? 0),
    medianAgeDays: Math.round(ages[ages.length >> 1] ?? 0),
    internalAmount: Math.round(internalAmount * 100) / 100,
  };
  const notes: string[] = [];
  let type: ClusterType = 'mixed';
  let core: string[] = [...members];

  if (
    cycleMembers >= 3 &&
    cycleMembers >= o.ringCoverage * n &&
    cycleEdges <= o.ringMaxEdgesPerMember * cycleMembers &&
    cycleForward >= o.flowMinForward
  ) {
    type = 'ring';
    core = members.filter((_, k) => comp[k] === cycleComp);
    notes.push(
      `${cycleMembers} of ${n} members pass money round a cycle (${cycleEdges} relations among them), sending on a median ${Math.round(cycleForward * 100)}% of what they receive`,
    );
  } else if (n >= 4 && density >= o.cliqueMinDensity) {
    type = 'dense_clique';
    notes.push(`density ${evidence.density}: most members pay each other`);
  } else if (n >= 4 && Math.max(fanInShare, fanOutShare) >= o.fanMinShare) {
    // A centre that keeps the money and lives an ordinary life (a landlord, a small employer) is
    // benign-looking; one that keeps it and lives on nothing else is a cash-out point.
    const keeps = evidence.centerForwardShare < o.benignMaxForward && f.ordinary[centerIdx]! >= o.benignMinOrdinary;
    type = keeps ? 'benign_hub_like' : fanIn ? 'fan_in' : 'fan_out';
    core = members.filter((_, k) => k === center || (fanIn ? out[k]!.includes(center) : out[center]!.includes(k)));
    notes.push(
      `${members[center]} ${fanIn ? 'receives from' : 'pays'} ${Math.round(Math.max(fanInShare, fanOutShare) * 100)}% of the other members` +
        (keeps
          ? ` and keeps the money (sends on ${Math.round(evidence.centerForwardShare * 100)}% quickly)`
          : ` and sends on ${Math.round(evidence.centerForwardShare * 100)}% of its inflow within the holding window`),
    );
  } else if (longestPath >= o.chainMinLength && cycleMembers < 3 && relayForward >= o.flowMinForward) {
    type = 'layering';
    core = members.filter((_, k) => inDeg[k]! > 0 && outDeg[k]! > 0);
    notes.push(
      `money hops along a chain of ${longestPath + 1} accounts without coming back; relays send on a median ${Math.round(relayForward * 100)}%`,
    );
  }
  if (evidence.medianForwardShare >= 0.5)
    notes.push(
      `half the members send on ≥ ${Math.round(evidence.medianForwardShare * 100)}% of what they receive within the holding window`,
    );
  return { type, evidence, notes, core };
}
