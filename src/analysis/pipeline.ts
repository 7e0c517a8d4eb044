// acctnet/analysis/pipeline: every analysis step on loaded flows, in order, with timings. Pure:
// no I/O, deterministic for the same flows, labels, previous clusters and parameters.
import { clusterBetweenness, flowCentrality, type Centrality } from './centrality.js';
import { detectCommunities } from './communities.js';
import { computeFeatures, type AccountFeatures } from './features.js';
import type { Flows } from './flows.js';
import { pairOrder } from './graph.js';
import { pagerankJob, startPagerank, type PagerankTask } from './pagerank-thread.js';
import { findHubs } from './hubs.js';
import { detectMigrations, type Migration } from './migration.js';
import { explainLearned, fuseScores, type FusedScores } from './fusion.js';
import { learnRisk, LEARNED_DEFAULTS, type LearnedOptions, type ModelCard } from './learned.js';
import { labelVector, prepareRisk, propagateRisk, type LabelValue } from './risk.js';
import { assignRoles, type Role } from './roles.js';
import { assignStableIds } from './stable-ids.js';
import { classifyCluster, type Typology } from './typology.js';
import { STILL_LISTED, type BlacklistEntry } from './blacklist.js';

export interface AnalysisParams {
  seed: number;
  resolution: number;
  maxClusterSize: number;
  hubMinDegree: number;
  hubMedianFactor: number;
  betweennessMaxSize: number;
  betweennessMinRisk: number;
  migrationMinScore: number;
  threshold: number;
  /** The learned model (ACCTNET_LEARNED and its companions). */
  learned: LearnedOptions;
  /**
   * An account whose only evidence is the learned or anomaly score is listed only at or above this
   * score; between the threshold and this bar it goes to the review list. Above 1: never listed.
   */
  modelOnlyThreshold: number;
  /** The model alone (no other evidence) reviews or lists an account only with at least this many transfers in the window (ACCTNET_REVIEW_MIN_TRANSFERS; 0: no bar). */
  reviewMinTransfers: number;
  /**
   * The list's hysteresis (ACCTNET_LIST_RELEASE_MARGIN): an account a run listed on the served list
   * stays listed while its score is at or above this (STILL_LISTED). null: off.
   */
  releaseScore: number | null;
}

export const ANALYSIS_DEFAULTS: AnalysisParams = {
  seed: 1,
  resolution: 1,
  maxClusterSize: 50,
  hubMinDegree: 100,
  hubMedianFactor: 20,
  betweennessMaxSize: 500,
  betweennessMinRisk: 0.2,
  migrationMinScore: 0.45,
  threshold: 0.45,
  learned: LEARNED_DEFAULTS,
  modelOnlyThreshold: 1.01,
  reviewMinTransfers: 3,
  releaseScore: 0.4,
};

export interface AnalysisInput {
  flows: Flows;
  /** Account id → first transfer ever (Account.firstSeenAt), to tell new accounts from old ones. */
  firstSeen: ReadonlyMap<string, number>;
  labels: ReadonlyMap<string, LabelValue>;
  /** Account id → where its label came from (Label.source), for the model card. */
  labelSources?: ReadonlyMap<string, string>;
  /** Account id → its cluster id in the previous run. */
  previousClusters: ReadonlyMap<string, string>;
  nextClusterSeq: number;
  params: AnalysisParams;
  /**
   * Accounts on the served blacklist, and those a later run dropped from it, → when they were first
   * listed: a listed account has fallen (migration).
   */
  listedAt?: ReadonlyMap<string, number>;
  /**
   * The accounts of listedAt that are there because a later run dropped them from the list (not on
   * the served list) → the data time of the run version that dropped them: trading since the list
   * let them go, they have not fallen by their listing; their listing-only links are decided last
   * (migration).
   */
  droppedListed?: ReadonlyMap<string, number>;
  /** Accounts a run listed on the served list (not manual or provisional entries): the list's hysteresis. */
  listedBefore?: ReadonlySet<string>;
  /** Pairs an investigator rejected ("from>to", successorKey): never linked (migration). */
  rejectedPairs?: ReadonlySet<string>;
  onStep?: (step: string) => void;
  /**
   * PageRank's thread (pagerank-thread.ts): its heap limit (ACCTNET_ANALYSIS_HEAP_MB, as the analysis
   * thread's) and the relations below which PageRank runs inline instead (MIN_THREAD_PAIRS).
   */
  pagerankThread?: { heapMb?: number; minPairs?: number };
  /**
   * Called with the clusters and migration links as soon as they are final (before the learned
   * step, which changes neither): a recompute starts writing them while the learned step computes.
   */
  onClustersReady?: (ready: { clusters: ClusterResult[]; migrations: Migration[] }) => void;
}

export interface ClusterResult {
  id: string;
  members: string[];
  typology: Typology;
  score: number;
  reasons: string[];
}

export interface AnalysisOutput {
  /** Account id per account index (the flows' ids): every per-account array below is indexed alike. */
  ids: readonly string[];
  centrality: Centrality;
  features: AccountFeatures;
  isHub: Uint8Array;
  roles: Role[];
  /** Cluster id per account index (null outside clusters). */
  clusterOf: Array<string | null>;
  clusters: ClusterResult[];
  migrations: Migration[];
  chains: string[][];
  /** The served score (the fused one with ACCTNET_LEARNED=on and a trained model, else the rules'). */
  score: Float64Array;
  /** The rules' score and the learned (calibrated) score, kept apart for the record and for shadow mode. */
  rulesScore: Float64Array;
  learnedScore: Float64Array | null;
  anomaly: Float64Array | null;
  model: ModelCard;
  reasons: string[][];
  /** Every account with a score ≥ threshold and evidence beyond the model, before overrides. */
  candidates: BlacklistEntry[];
  /** Accounts at or above the threshold whose only evidence is the learned or anomaly score: for review, not served. */
  review: BlacklistEntry[];
  /** Shadow mode: the list the learned model would serve (null otherwise). */
  shadowCandidates: BlacklistEntry[] | null;
  timings: Record<string, number>;
  counts: Record<string, number>;
  nextClusterSeq: number;
  modularity: number;
}

export async function runAnalysis(input: AnalysisInput): Promise<AnalysisOutput> {
  // PageRank's thread ends with the analysis: when a step throws, it is not left running (the caller
  // may be a long-lived process), and when the thread fails the analysis stops at its next step.
  const thread: { task: PagerankTask | null } = { task: null };
  try {
    return await analyse(input, thread);
  } finally {
    thread.task?.cancel();
  }
}

async function analyse(input: AnalysisInput, thread: { task: PagerankTask | null }): Promise<AnalysisOutput> {
  const p = input.params;
  const timings: Record<string, number> = {};
  // Each step starts on a turn of the event loop: a failed PageRank thread is seen (and the run
  // stops) at the next step, and the writes a recompute started meanwhile make progress.
  const step = async <T>(name: string, fn: () => T): Promise<T> => {
    if (thread.task) await new Promise((resolve) => setImmediate(resolve));
    const failed = thread.task?.failed();
    if (failed) throw failed;
    input.onStep?.(name);
    const started = performance.now();
    const out = fn();
    timings[name] = Math.round(performance.now() - started);
    return out;
  };
  const { flows } = input;
  const n = flows.ids.length;

  // One order of accounts and pairs for the graph and for every step that reads the pairs in the
  // graph's order (degrees and strengths, Louvain's projection, features, cluster shapes, migration,
  // betweenness). The graphology graph itself is built in PageRank's own thread, which runs while
  // this one goes on: only the learned step's feature table reads PageRank (pagerank-thread.ts).
  const { po, pagerankTask } = await step('graph', () => {
    const order = pairOrder(flows);
    return { po: order, pagerankTask: (thread.task = startPagerank(pagerankJob(flows, order), input.pagerankThread)) };
  });
  const relations = flows.pairCount;
  const centrality = await step('centrality', () => flowCentrality(flows, po));
  const hubs = await step('hubs', () => findHubs(centrality, { minDegree: p.hubMinDegree, medianFactor: p.hubMedianFactor }));
  const communities = await step('communities', () =>
    detectCommunities(flows, hubs.isHub, { resolution: p.resolution, seed: p.seed, maxClusterSize: p.maxClusterSize }, po),
  );
  const features = await step('features', () => computeFeatures(flows, po, centrality, hubs.isHub, input.firstSeen));
  const roles = await step('roles', () => assignRoles(centrality, features, hubs.isHub));
  const typologies = await step('typology', () => {
    const t = new Map<number, Typology>();
    for (const [cid, members] of communities.members) t.set(cid, classifyCluster({ flows, po }, members, features));
    return t;
  });
  const migration = await step('migration', () =>
    detectMigrations(
      flows,
      features,
      hubs.isHub,
      communities.community,
      { minScore: p.migrationMinScore },
      input.listedAt,
      po,
      input.rejectedPairs,
      input.droppedListed,
    ),
  );
  // What the rules read besides the labels: the learned step builds its feature table from the same
  // inputs and re-runs the rules fold-wise on them.
  const riskInputs = {
    flows,
    c: centrality,
    ids: flows.ids,
    f: features,
    isHub: hubs.isHub,
    community: communities.community,
    clusters: communities.members,
    typologies,
    migrations: migration.links,
  };
  // The rules' label-free part is computed once and shared with the learned step's fold-wise runs.
  const { riskPrep, risk } = await step('risk', () => {
    const prep = prepareRisk(riskInputs);
    return { riskPrep: prep, risk: propagateRisk(prep, labelVector(flows, input.labels)) };
  });
  // Exact Brandes is O(n·m) per cluster: computed where an investigator will look (clusters with
  // some risk), as evidence of who bridges the flows; NaN elsewhere.
  Object.assign(timings, Object.fromEntries(Object.entries(communities.timings).map(([k, v]) => [`communities.${k}`, v])));
  await step('betweenness', () => {
    const risky = new Map([...communities.members].filter(([cid]) => (risk.clusterScore.get(cid) ?? 0) >= p.betweennessMinRisk));
    clusterBetweenness(flows, po, risky, centrality, p.betweennessMaxSize);
  });
  const stable = await step('stable-ids', () => assignStableIds(communities.members, input.previousClusters, input.nextClusterSeq));
  const clusterOf: Array<string | null> = Array.from(communities.community, (c) => (c >= 0 ? stable.ids.get(c)! : null));
  const clusters: ClusterResult[] = [...communities.members.entries()]
    .map(([cid, members]) => ({
      id: stable.ids.get(cid)!,
      members: [...members].sort(),
      typology: typologies.get(cid)!,
      score: risk.clusterScore.get(cid) ?? 0,
      reasons: risk.clusterReasons.get(cid) ?? [],
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  if (input.onClustersReady) {
    input.onClustersReady({ clusters, migrations: migration.links });
    // One turn of the event loop: the writes the callback started reach Neo4j before the learned step.
    await new Promise((resolve) => setImmediate(resolve));
  }
  // PageRank from its thread: the wait (usually none) is the step's time; the thread's own times
  // are pagerank.graph and pagerank.run.
  input.onStep?.('pagerank');
  const waitStarted = performance.now();
  const pr = await pagerankTask.result;
  timings.pagerank = Math.round(performance.now() - waitStarted);
  timings['pagerank.graph'] = pr.timings.graph;
  timings['pagerank.run'] = pr.timings.run;
  centrality.pagerank.set(pr.pagerank);
  const learned = await step('learned', () =>
    learnRisk(
      {
        table: riskInputs,
        ids: flows.ids,
        labels: input.labels,
        labelSources: input.labelSources,
        risk: riskInputs,
        riskPrep,
        rulesScore: risk.score,
        onStep: input.onStep,
      },
      { ...p.learned, seed: p.seed },
    ),
  );
  const fused: FusedScores = await step('fusion', () =>
    fuseScores({
      ids: flows.ids,
      labels: input.labels,
      rules: risk,
      learned,
      clusterOf,
      forwardShare: features.forwardShare,
      ordinary: features.ordinary,
      threshold: p.threshold,
      modelOnlyThreshold: p.modelOnlyThreshold,
      reviewMinTransfers: p.reviewMinTransfers,
      inCount: flows.inCount,
      outCount: flows.outCount,
      releaseScore: p.releaseScore,
      listedBefore: input.listedBefore,
    }),
  );
  await step('explain', () => explainLearned(learned, fused));
  for (const [k, v] of Object.entries(learned.timings)) timings[`learned.${k}`] = v;
  const candidates = fused.candidates;
  return {
    ids: flows.ids,
    centrality,
    features,
    isHub: hubs.isHub,
    roles,
    clusterOf,
    clusters,
    migrations: migration.links,
    chains: migration.chains,
    score: fused.score,
    rulesScore: risk.score,
    learnedScore: learned.score,
    anomaly: learned.card.status === 'off' ? null : learned.anomaly,
    model: learned.card,
    reasons: fused.reasons,
    candidates,
    review: fused.review,
    shadowCandidates: fused.shadowCandidates,
    timings,
    counts: {
      accounts: n,
      transfers: flows.transfers,
      relations,
      hubs: hubs.count,
      // The distinct counterparties that made an account a hub in this run: the successor watch
      // tests accounts the run did not see against it.
      hubThreshold: hubs.threshold,
      clusters: clusters.length,
      oversizedClusters: communities.oversized,
      clustersKept: stable.kept,
      clustersNew: stable.created,
      falls: migration.falls,
      rises: migration.rises,
      migrations: migration.links.length,
      candidates: candidates.length,
      stillListed: candidates.filter((e) => e.reasons.includes(STILL_LISTED)).length,
      review: fused.review.length,
    },
    nextClusterSeq: stable.nextSeq,
    modularity: communities.modularity,
  };
}
