// Scoring variants of the migration detector on the tuning seeds, each world built once: every
// candidate pair (fall × rise in the timing window, reached through a former counterparty or money
// from A) is scored by each variant, then thresholded and assigned one-to-one as detectMigrations does.
// Dev tool for tuning only (docs/evaluation.md); the shipped scorer is analysis/migration.ts.
//
//   TUNE_ROUND=1|2|3|4|5|6|7 node dist/dev/eval/migration-tune.js [--version 1|2|patterns] [--seeds 1,...,8] [--accounts 20000]
// (round 1: cluster substitutes; 2: a wider lead window, a higher bar; 3: weight, bar and pivot grid;
// 4: counted rare counterparties and a decay for a rise before the fall — the decay was kept; 5: a prompt
// rise (within days after the fall) as evidence of its own — not kept; 6: the successor share (how much
// of the successor's relations are the predecessor's taken over), weight, gate and bar — kept at 0.3
// from two taken over, bar unchanged; 7: gates for one taken over — not kept;
// TUNE_DUMP=1 prints every candidate's terms; TUNE_CHECK=1 also prints where the shipped scoreMigration differs from the kept variant near the bar)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  batchPairInputs,
  CLUSTER_TERM_PIVOT,
  CLUSTER_TERM_WEIGHT,
  counterpartyWeight,
  forEachCandidatePair,
  MIGRATION_DEFAULTS,
  LEAD_DECAY_PER_DAY,
  clusterShare,
  scoreMigration,
  SUCCESSOR_TERM_MIN_SHARED,
  SUCCESSOR_TERM_WEIGHT,
  type PairInputs,
} from '../../src/analysis/migration.js';
import { pairOrder } from '../../src/analysis/graph.js';
import { DAY_MS } from '../../src/analysis/features.js';
import { loadConfig } from '../../src/config/index.js';
import { analysisParams } from '../../src/runs/analysis-job.js';
import { analyseWorld } from './migration-world.js';

const { values: args } = parseArgs({
  options: {
    version: { type: 'string', default: '2' },
    seeds: { type: 'string', default: '1,2,3,4,5,6,7,8' },
    accounts: { type: 'string', default: '20000' },
  },
});
const version = args.version === 'patterns' ? 'patterns' : (Number(args.version) as 1 | 2);
const seeds = String(args.seeds).split(',').map(Number);
const accounts = Number(args.accounts);
const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const params = analysisParams(config);
const o = { ...MIGRATION_DEFAULTS, minScore: params.migrationMinScore };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctnet-migtune-'));

interface Pair {
  p: PairInputs;
  /** Extra features a variant may read. */
  x: { sameCluster: boolean; sharedIn: number | null; nbrIn: number | null; nbrInWithA: number | null; countWithA: number | null };
}

/** The scorer's formula with an extra factor on the remainder (1 − w·c). */
function score(
  p: PairInputs,
  c: number,
  w: number,
  minShared = 0,
  leadDecay = false,
  countK = 0,
  negDecay = LEAD_DECAY_PER_DAY,
  prompt: { b: number; full: number; zero: number } | null = null,
  succ: { b: number; minShared: number; minCps?: number; half?: boolean; newOnly?: boolean } | null = null,
): number | undefined {
  if (p.shared.length === 0 && p.directTransfers === 0) return undefined;
  let sharedWeight = 0;
  for (const s of p.shared) sharedWeight += s.weight;
  const overlap = p.formerWeight ? Math.min(1, sharedWeight / p.formerWeight) : 0;
  let overlapScore = p.shared.length >= 2 ? Math.min(1, overlap * 1.5) : overlap * 0.5;
  // Round 4: rare counterparties taken over, counted (not as a share of A's): K = weight for a full score.
  if (countK && p.shared.length >= 2) overlapScore = Math.max(overlapScore, Math.min(1, sharedWeight / countK));
  const profile = p.profileSimilarity;
  const gapDays = (p.rise.at - p.fall.at) / DAY_MS;
  const late = leadDecay ? Math.abs(gapDays) : gapDays;
  let timing = late <= 7 ? 1 : Math.max(0.6, 1 - (late - 7) / 60);
  // Round 4 (shipped since, as LEAD_DECAY_PER_DAY): a rise before the fall (both running) weighs less, per day of overlap.
  if (negDecay && gapDays < 0 && !leadDecay) timing = Math.max(0.6, 1 - negDecay * -gapDays);
  const directScore = p.directTransfers ? 0.55 * (0.4 + 0.6 * profile) : 0;
  const cc = p.shared.length >= minShared ? c : 0;
  // Round 5: a prompt rise (the new account starting within days after the old one fell) as evidence of its own.
  // Round 6: the share of the successor's own counterparties (weighted, A left out) that are A's
  // former ones taken over — how much of S's life is A's, which speaks before A's overlap does.
  let sc = 0;
  if (succ && p.shared.length >= succ.minShared && (!succ.newOnly || p.rise.kind === 'new')) {
    let all = 0;
    let cps = 0;
    for (const c of p.successorCounterparties)
      if (c.id !== p.from) {
        all += c.weight;
        cps++;
      }
    sc = all && cps >= (succ.minCps ?? 0) ? Math.min(1, sharedWeight / all) : 0;
    if (succ.half && p.shared.length < 2) sc *= 0.5;
  }
  const pr = prompt
    ? gapDays < 0
      ? 0
      : gapDays <= prompt.full
        ? 1
        : Math.max(0, (prompt.zero - gapDays) / (prompt.zero - prompt.full))
    : 0;
  return (
    Math.round(
      1000 *
        timing *
        (1 -
          (1 - 0.75 * overlapScore) *
            (1 - directScore) *
            (1 - 0.25 * profile) *
            (1 - w * cc) *
            (1 - (prompt?.b ?? 0) * pr) *
            (1 - (succ?.b ?? 0) * sc)),
    ) / 1000
  );
}

type Variant = {
  name: string;
  c: (x: Pair['x']) => number;
  w: number;
  minShared?: number;
  lead?: number;
  leadDecay?: boolean;
  minScore?: number;
  countK?: number;
  negDecay?: number;
  prompt?: { b: number; full: number; zero: number };
  succ?: { b: number; minShared: number; minCps?: number; half?: boolean; newOnly?: boolean };
};
const variants: Variant[] = [{ name: 'current (no cluster term)', c: () => 0, w: 0 }];
const ROUND = Number(process.env.TUNE_ROUND ?? 1);
/** Round 6's kept successor term (shipped as SUCCESSOR_TERM_WEIGHT, SUCCESSOR_TERM_MIN_SHARED). */
const KEPT_SUCC = { b: SUCCESSOR_TERM_WEIGHT, minShared: SUCCESSOR_TERM_MIN_SHARED };
const cs: Array<[string, (x: Pair['x']) => number]> = [
  ['sameCluster', (x) => (x.sameCluster ? 1 : 0)],
  ['nbrInWithA', (x) => x.nbrInWithA ?? 0],
  ['nbrInWithA>=.5', (x) => ((x.nbrInWithA ?? 0) >= 0.5 ? 1 : 0)],
  ['countWithA>=.5', (x) => ((x.countWithA ?? 0) >= 0.5 ? 1 : 0)],
];
if (ROUND === 2)
  for (const [lead, leadDecay] of [
    [7, false],
    [28, true],
    [45, true],
  ] as const)
    for (const minScore of [0.5, 0.55])
      for (const [cn, c] of cs)
        for (const w of cn === 'none' ? [0] : [0, 0.2, 0.3])
          if (w > 0 || cn === 'sameCluster')
            variants.push({
              name: `lead ${lead}${leadDecay ? ' decay' : ''} min ${minScore} ${w ? cn : 'none'} w=${w}`,
              c,
              w,
              lead,
              leadDecay,
              minScore,
            });
if (ROUND === 3) {
  for (const minScore of [0.5, 0.52, 0.55, 0.58, 0.6])
    for (const w of [0.3, 0.4, 0.5]) {
      variants.push({ name: `min ${minScore} nbrInWithA w=${w}`, c: (x) => x.nbrInWithA ?? 0, w, minScore });
      variants.push({ name: `min ${minScore} sameCluster w=${w}`, c: (x) => (x.sameCluster ? 1 : 0), w, minScore });
    }
  for (const pivot of [0.25, 0.5])
    for (const w of [0.2, 0.3, 0.4])
      variants.push({ name: `min 0.5 nbrInWithA-${pivot} w=${w}`, c: (x) => (x.nbrInWithA ?? 0) - pivot, w });
}
if (ROUND === 4) {
  const shipped = (x: Pair['x']) => (x.nbrInWithA ?? 0) - 0.25;
  variants.length = 0;
  variants.push({ name: 'shipped', c: shipped, w: 0.2 });
  variants.push({ name: 'before the lead decay', c: shipped, w: 0.2, negDecay: 0 });
  for (const countK of [0, 1, 1.5, 2, 3])
    for (const negDecay of [0, 0.03, 0.06])
      for (const minScore of [0.5, 0.55, 0.6])
        if (countK || negDecay || minScore !== 0.5)
          variants.push({ name: `K ${countK} neg ${negDecay} min ${minScore}`, c: shipped, w: 0.2, countK, negDecay, minScore });
}
if (ROUND === 5) {
  const shipped = (x: Pair['x']) => (x.nbrInWithA ?? 0) - CLUSTER_TERM_PIVOT;
  variants.length = 0;
  variants.push({ name: 'shipped', c: shipped, w: CLUSTER_TERM_WEIGHT });
  for (const b of [0.1, 0.2, 0.3])
    for (const [full, zero] of [
      [2, 5],
      [4, 8],
      [7, 14],
    ] as const)
      variants.push({ name: `prompt b ${b} ${full}-${zero}d`, c: shipped, w: CLUSTER_TERM_WEIGHT, prompt: { b, full, zero } });
}
if (ROUND === 7) {
  const shipped = (x: Pair['x']) => (x.nbrInWithA ?? 0) - CLUSTER_TERM_PIVOT;
  variants.length = 0;
  variants.push({ name: 'shipped', c: shipped, w: CLUSTER_TERM_WEIGHT });
  for (const b of [0.2, 0.3, 0.4]) {
    variants.push({ name: `succ b ${b} ≥2`, c: shipped, w: CLUSTER_TERM_WEIGHT, succ: { b, minShared: 2 } });
    variants.push({ name: `succ b ${b} ≥1 cps≥2`, c: shipped, w: CLUSTER_TERM_WEIGHT, succ: { b, minShared: 1, minCps: 2 } });
    variants.push({ name: `succ b ${b} ≥1 cps≥3`, c: shipped, w: CLUSTER_TERM_WEIGHT, succ: { b, minShared: 1, minCps: 3 } });
    variants.push({ name: `succ b ${b} ≥1 half`, c: shipped, w: CLUSTER_TERM_WEIGHT, succ: { b, minShared: 1, half: true } });
    variants.push({ name: `succ b ${b} ≥1 new`, c: shipped, w: CLUSTER_TERM_WEIGHT, succ: { b, minShared: 1, newOnly: true } });
    variants.push({
      name: `succ b ${b} ≥1 half cps≥2`,
      c: shipped,
      w: CLUSTER_TERM_WEIGHT,
      succ: { b, minShared: 1, half: true, minCps: 2 },
    });
  }
}
if (ROUND === 6) {
  const shipped = (x: Pair['x']) => (x.nbrInWithA ?? 0) - CLUSTER_TERM_PIVOT;
  variants.length = 0;
  variants.push({ name: 'shipped', c: shipped, w: CLUSTER_TERM_WEIGHT });
  for (const minScore of [0.45, 0.5, 0.55])
    for (const minShared of [1, 2])
      for (const b of [0.2, 0.3, 0.4, 0.5])
        variants.push({
          name: `succ b ${b} ≥${minShared} min ${minScore}`,
          c: shipped,
          w: CLUSTER_TERM_WEIGHT,
          minScore,
          succ: { b, minShared },
        });
}
for (const w of ROUND === 1 ? [0.2, 0.3, 0.4] : []) {
  variants.push({ name: `old sameCluster w=${w}`, c: (x) => (x.sameCluster ? 1 : 0), w });
  variants.push({ name: `sharedIn w=${w}`, c: (x) => x.sharedIn ?? 0, w });
  variants.push({ name: `sharedIn w=${w} (≥2 shared)`, c: (x) => x.sharedIn ?? 0, w, minShared: 2 });
  variants.push({ name: `nbrIn w=${w}`, c: (x) => x.nbrIn ?? 0, w });
  variants.push({ name: `nbrInWithA w=${w}`, c: (x) => x.nbrInWithA ?? 0, w });
  variants.push({ name: `sharedIn*nbrIn w=${w}`, c: (x) => (x.sharedIn ?? 0) * (x.nbrIn ?? 0), w });
}
const agg = new Map<string, { found: number; correct: number; planted: number; legitListed: number }>();

for (const seed of seeds) {
  const { world, loaded, flows, graph, isHub, community, f } = await analyseWorld(config, dir, seed, accounts, version);
  const po = pairOrder(flows);
  const idx = (id: string) => graph.getNodeAttribute(id, 'i') as number;

  // The candidate pairs of detectMigrations, every one kept, with the lead window widened to 90 days
  // (round 2's variants; the others filter to the shipped 7 below).
  const pairs: Pair[] = [];
  forEachCandidatePair(flows, f, isHub, { ...o, maxLeadDays: 90 }, new Map(), ({ a, b, fall, rise, former, formerWeight }) => {
    const aId = flows.ids[a]!;
    const bId = flows.ids[b]!;
    const p = batchPairInputs(po, flows, f, isHub, community, a, b, fall, rise, former, formerWeight);
    const ca = community[a]!;
    const inA = (id: string) => ca >= 0 && community[idx(id)] === ca;
    let sw = 0;
    let si = 0;
    for (const s of p.shared) {
      sw += s.weight;
      if (inA(s.id)) si += s.weight;
    }
    let nw = 0;
    let ni = 0;
    graph.forEachNeighbor(bId, (c, at) => {
      if (isHub[at.i] || c === aId) return;
      const w = counterpartyWeight(graph.degree(c));
      nw += w;
      if (inA(c)) ni += w;
    });
    let nc = 0;
    let nci = 0;
    graph.forEachNeighbor(bId, (c, at) => {
      if (isHub[at.i]) return;
      nc++;
      if (c === aId ? ca >= 0 : inA(c)) nci++;
    });
    const wa = graph.hasEdge(aId, bId) || graph.hasEdge(bId, aId) ? counterpartyWeight(graph.degree(aId)) : 0;
    pairs.push({
      p,
      x: {
        sameCluster: p.sameCluster,
        sharedIn: sw ? si / sw : null,
        nbrIn: nw ? ni / nw : null,
        nbrInWithA: nw + wa ? (ni + (ca >= 0 ? wa : 0)) / (nw + wa) : null,
        countWithA: nc ? nci / nc : null,
      },
    });
  });
  if (process.env.TUNE_CHECK) {
    let mism = 0;
    for (const x of pairs) {
      const mine = score(x.p, (x.x.nbrInWithA ?? 0) - 0.25, 0.2, 0, false, 0, LEAD_DECAY_PER_DAY, null, KEPT_SUCC);
      const shipped = scoreMigration(x.p)?.score;
      if (mine !== shipped && ((mine ?? 0) >= 0.5 || (shipped ?? 0) >= 0.5)) {
        mism++;
        if (mism <= 10)
          console.log('mismatch', x.p.from, x.p.to, mine, shipped, JSON.stringify(x.x), clusterShare(x.p.successorCounterparties));
      }
    }
    console.log(`seed ${seed}: ${mism} mismatches around the bar of ${pairs.length} pairs`);
  }
  const observable = world.migrations.filter((m) => loaded.accounts.has(m.from) && loaded.accounts.has(m.to));
  const planted = new Map(observable.map((m) => [`${m.from}>${m.to}`, m.kind]));
  const legitSucc = new Set(observable.filter((m) => m.kind === 'legit').map((m) => m.to));
  if (process.env.TUNE_DUMP) {
    // Planted pairs among the candidates and every candidate above 0.3: one line of terms each (for reading).
    for (const x of pairs) {
      const s = score(x.p, (x.x.nbrInWithA ?? 0) - 0.25, 0.2, 0, false, 0, LEAD_DECAY_PER_DAY, null, KEPT_SUCC);
      const k = `${x.p.from}>${x.p.to}`;
      if (s === undefined || (s < 0.3 && !planted.has(k))) continue;
      let sw = 0;
      for (const c of x.p.shared) sw += c.weight;
      console.log(
        `DUMP\t${seed}\t${planted.get(k) ?? 'no'}\t${s}\t${x.p.shared.length}\t${x.p.formerCounterparties}\t${(sw / (x.p.formerWeight || 1)).toFixed(3)}\t${x.p.directTransfers}\t${x.p.profileSimilarity.toFixed(3)}\t${((x.p.rise.at - x.p.fall.at) / DAY_MS).toFixed(1)}\t${x.p.fall.kind}\t${x.p.rise.kind}\t${(x.x.nbrInWithA ?? 0).toFixed(2)}\t${x.p.from}\t${x.p.to}`,
      );
    }
  }
  for (const v of variants) {
    const cands: Array<{ from: string; to: string; score: number }> = [];
    for (const x of pairs) {
      if (x.p.rise.at - x.p.fall.at < -(v.lead ?? o.maxLeadDays) * DAY_MS) continue;
      const s = score(x.p, v.c(x.x), v.w, v.minShared, v.leadDecay, v.countK, v.negDecay, v.prompt ?? null, v.succ ?? null);
      if (s !== undefined && s >= (v.minScore ?? o.minScore)) cands.push({ from: x.p.from, to: x.p.to, score: s });
    }
    cands.sort((x, y) => y.score - x.score || (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : 1));
    const uf = new Set<string>();
    const ut = new Set<string>();
    let found = 0;
    let correct = 0;
    let legitListed = 0;
    for (const c of cands) {
      if (uf.has(c.from) || ut.has(c.to)) continue;
      uf.add(c.from);
      ut.add(c.to);
      found++;
      if (planted.has(`${c.from}>${c.to}`)) correct++;
      if (legitSucc.has(c.to)) legitListed++;
    }
    const a = agg.get(v.name) ?? { found: 0, correct: 0, planted: 0, legitListed: 0 };
    a.found += found;
    a.correct += correct;
    a.planted += planted.size;
    a.legitListed += legitListed;
    agg.set(v.name, a);
    if (ROUND === 1)
      console.log(
        `v${version} seed ${seed} ${v.name}: found ${found} correct ${correct} planted ${planted.size} P ${(correct / found).toFixed(3)} R ${(correct / planted.size).toFixed(3)}`,
      );
  }
}
console.log(`--- world v${version} seeds ${seeds.join(',')}`);
for (const [name, a] of agg)
  console.log(
    `${name.padEnd(36)} found ${a.found} correct ${a.correct} planted ${a.planted} P ${(a.correct / a.found).toFixed(3)} R ${(a.correct / a.planted).toFixed(3)} legit-successor links ${a.legitListed}`,
  );
fs.rmSync(dir, { recursive: true, force: true });
