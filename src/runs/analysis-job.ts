// The body of a recompute run: load → analyse → write results; its blacklist candidates go back to
// the main thread, which publishes them (blacklist/publish.ts). It runs inside a worker thread
// (src/runs/analysis-thread.ts) so the worker's event loop stays free to renew the BullMQ lock; the
// graph lives only in that thread.
import neo4j, { type Driver } from 'neo4j-driver';
import { madeByRun, releaseScore, STILL_LISTED, type BlacklistEntry } from '../analysis/blacklist.js';
import { MIGRATION_DEFAULTS } from '../analysis/migration.js';
import { droppedFromList } from '../blacklist/dropped.js';
import { FlowAggregator } from '../analysis/flows.js';
import { LEARNED_DEFAULTS, type ModelCard } from '../analysis/learned.js';
import { runAnalysis, type AnalysisOutput, type AnalysisParams } from '../analysis/pipeline.js';
import type { LabelValue } from '../analysis/risk.js';
import { parseClusterSeq } from '../analysis/stable-ids.js';
import type { Config } from '../config/index.js';
import { dataTimeLimit } from '../ingest/rules.js';
import { currencyExponent } from '../ingest/record.js';
import { int, toNumber } from '../neo4j/convert.js';
import { cypher } from '../neo4j/cypher.js';
import { createBlacklistRepository } from '../neo4j/repositories/blacklist.js';
import { createLabelRepository } from '../neo4j/repositories/labels.js';
import { createSuccessorRepository } from '../neo4j/repositories/successors.js';
import { txRunner } from '../neo4j/session.js';
import { loadRunWindow, type WindowLoad } from './incremental.js';
import type { TransferTable } from './transfer-table.js';

export interface AnalysisJobInput {
  config: Config;
  runId: string;
  runSeq: number;
  /** Epoch ms; null: the latest transfer. */
  asOf: number | null;
  /** Read the whole window, not from the previous run's snapshot (`acctnet recompute --full`). */
  full?: boolean;
}

export interface AnalysisJobResult {
  asOf: number | null;
  windowFrom: number | null;
  /** Accounts at or above the threshold, before overrides: the publication path builds the version. */
  candidates: BlacklistEntry[];
  timings: Record<string, number>;
  counts: Record<string, number>;
  warnings: string[];
  /** The learned model's card, with the shadow list's size in shadow mode (null before the analysis ran). */
  model: (ModelCard & { shadow?: { listed: number; added: number; removed: number } }) | null;
  params: AnalysisParams & {
    windowDays: number;
    bucketDays: number;
    holdHours: number;
    baseCurrency: string;
    /** How the run converted amounts (ACCTNET_FX_RATES, ACCTNET_CURRENCY_EXPONENTS): the API shows its amounts the same way. */
    fxRates: Record<string, number>;
    currencyExponents: Record<string, number>;
  };
  /** How the window was loaded: incremental or full (and why), and whether its snapshot was kept (src/runs/incremental.ts). */
  load: Pick<WindowLoad, 'mode' | 'reason' | 'plan' | 'snapshot'> | null;
}

/** Full loads that are expected (not worth a warning on the run): first run, forced, switched off, scheduled. */
const ROUTINE_FULL = ['no snapshot', 'forced', 'ACCTNET_INCREMENTAL=off', 'scheduled'];

export type Progress = (step: string, timings: Record<string, number>, counts: Record<string, number>) => void;

const DAY = 86_400_000;
const WRITE_BATCH = 5000;
/** Clusters per transaction (see writeClusters). */
const CLUSTER_BATCH = 20_000;

export function analysisParams(config: Config): AnalysisJobResult['params'] {
  const a = config.analysis;
  return {
    seed: a.seed,
    resolution: a.resolution,
    maxClusterSize: a.maxClusterSize,
    hubMinDegree: a.hubMinDegree,
    hubMedianFactor: 20,
    betweennessMaxSize: 500,
    betweennessMinRisk: 0.2,
    migrationMinScore: a.migrationMinScore,
    threshold: a.threshold,
    learned: { ...LEARNED_DEFAULTS, mode: a.learned, minFraudLabels: a.learnedMinFraudLabels, seed: a.seed },
    modelOnlyThreshold: a.modelOnlyThreshold,
    reviewMinTransfers: a.reviewMinTransfers,
    releaseScore: releaseScore(a.threshold, a.listReleaseMargin),
    windowDays: a.windowDays,
    bucketDays: a.bucketDays,
    holdHours: a.holdHours,
    baseCurrency: a.baseCurrency,
    fxRates: { ...a.fxRates },
    currencyExponents: { ...config.ingest.currencyExponents },
  };
}

/** The run's flow aggregator: the window, ACCTNET_BUCKET_DAYS for the activity buckets and ACCTNET_HOLD_HOURS for pass-through. */
export function windowAggregator(config: Config, from: number, to: number): FlowAggregator {
  return new FlowAggregator({ from, to, bucketMs: config.analysis.bucketDays * DAY }, { holdMs: config.analysis.holdHours * 3_600_000 });
}

/** Minor units of any currency → major units of the base currency, or null without a rate (also used by npm run eval's in-process mode). */
export function converter(config: Config): (minor: number, currency: string) => number | null {
  const base = config.analysis.baseCurrency;
  const rates = config.analysis.fxRates;
  const cache = new Map<string, number | null>();
  return (minor, currency) => {
    let factor = cache.get(currency);
    if (factor === undefined) {
      const rate = currency === base ? 1 : rates[currency];
      factor = rate === undefined ? null : rate / 10 ** currencyExponent(currency, config.ingest.currencyExponents);
      cache.set(currency, factor);
    }
    return factor === null ? null : minor * factor;
  };
}

export async function runAnalysisJob(input: AnalysisJobInput, progress: Progress): Promise<AnalysisJobResult> {
  const { config, runId } = input;
  const timings: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const warnings: string[] = [];
  const params = analysisParams(config);
  const report = (step: string) => progress(step, { ...timings }, { ...counts });
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    report(step);
    const started = performance.now();
    try {
      return await fn();
    } finally {
      timings[step] = Math.round(performance.now() - started);
    }
  };
  // Integers as plain numbers in this thread: epoch ms and minor amounts stay far below 2^53.
  const driver: Driver = neo4j.driver(config.neo4j.uri, neo4j.auth.basic(config.neo4j.user, config.neo4j.password), {
    disableLosslessIntegers: true,
    maxTransactionRetryTime: config.neo4j.maxRetryTimeMs,
    notificationFilter: { minimumSeverityLevel: 'OFF' },
    userAgent: 'acctnet-analysis',
  });
  const { read, write } = txRunner(driver, config.neo4j);
  try {
    const until = dataTimeLimit(config);
    const latest = await read((tx) => tx.run(cypher('analysis/latest-transfer'), { until: int(until) }));
    const asOf = input.asOf ?? (latest.records[0]?.get('at') as number | null) ?? null;
    if (input.asOf === null && config.ingest.maxFutureHours !== null) {
      const future = (await read((tx) => tx.run(cypher('analysis/future-transfers'), { until: int(until) }))).records[0];
      const n = Number(future?.get('n') ?? 0);
      if (n > 0)
        warnings.push(
          `${n} transfers are dated after ${new Date(until).toISOString()} (the clock + ACCTNET_MAX_FUTURE_HOURS=${config.ingest.maxFutureHours}; the earliest ${new Date(Number(future!.get('first'))).toISOString()}): stored before ingest refused such rows, they are left out of the run's data time (asOf ${asOf === null ? 'none' : new Date(asOf).toISOString()}) — delete them with \`npx acctnet prune --future\` (--dry-run first) and send the corrected rows again`,
        );
    }
    const result: AnalysisJobResult = {
      asOf,
      windowFrom: null,
      candidates: [],
      timings,
      counts,
      warnings,
      model: null,
      params,
      load: null,
    };
    if (asOf === null) {
      warnings.push('no transfers stored yet: nothing to analyse');
    }
    const windowFrom = asOf === null ? 0 : asOf - config.analysis.windowDays * DAY + 1;
    result.windowFrom = asOf === null ? null : windowFrom;
    const aggregator = windowAggregator(config, windowFrom, asOf ?? 0);

    // Accounts and the window's transfers in one read transaction, incrementally from the previous
    // run's snapshot when it can be trusted (src/runs/incremental.ts).
    let firstSeen = new Map<string, number>();
    let table: TransferTable | null = null;
    await timed('load', async () => {
      if (asOf === null) return;
      const loaded = await loadRunWindow(
        driver,
        config,
        { from: windowFrom, to: asOf },
        {
          full: input.full,
          progress: (accounts, transfers) => {
            counts.accountsLoaded = accounts;
            counts.transfersRead = transfers;
            report('load');
          },
        },
      );
      firstSeen = loaded.firstSeen;
      table = loaded.table;
      counts.accountsLoaded = loaded.accountsLoaded;
      counts.transfersRead = loaded.transfersRead;
      counts.snapshotRows = loaded.snapshotRows;
      counts.loadIncremental = loaded.mode === 'incremental' ? 1 : 0;
      timings['load.snapshot-read'] = loaded.timings.snapshotRead;
      timings['load.accounts'] = loaded.timings.accounts;
      timings['load.transfers'] = loaded.timings.transfers;
      timings['load.snapshot-write'] = loaded.timings.snapshotWrite;
      result.load = { mode: loaded.mode, reason: loaded.reason, plan: loaded.plan, snapshot: loaded.snapshot };
      if (loaded.mode === 'full' && !ROUTINE_FULL.some((r) => loaded.reason.startsWith(r)))
        warnings.push(`full load instead of an incremental one: ${loaded.reason}`);
      if (loaded.lateAccounts) {
        counts.accountsLoadedLate = loaded.lateAccounts;
        warnings.push(`${loaded.lateAccounts} accounts were created while the run loaded: read with their transfers`);
      }
      if (loaded.unresolved) {
        counts.transfersUnresolved = loaded.unresolved;
        warnings.push(`${loaded.unresolved} transfers left out: their account was deleted while the run loaded`);
      }
    });
    // The window's rows in the canonical order (the same for a full and an incremental load:
    // src/runs/transfer-table.ts), converted to the base currency; then the time-ordered sweep
    // (pass-through, runs of transfers) and the per-pair arrays.
    const flows = await timed('aggregate', async () => {
      const t = table as TransferTable | null;
      table = null;
      if (t === null) return aggregator.finish();
      const toBase = converter(config);
      const skipped = new Map<string, number>();
      const ids = t.ids.values;
      const currencies = t.currencies.values;
      const channels = t.channels.values;
      const order = t.canonicalOrder();
      const add = aggregator.keyed(ids, channels);
      let loadedN = 0;
      for (let o = 0; o < order.length; o++) {
        const k = order[o]!;
        const at = t.at[k]!;
        if (at < windowFrom || at > asOf!) continue;
        const currency = currencies[t.currency[k]!]!;
        const amount = toBase(t.minor[k]!, currency);
        if (amount === null) {
          skipped.set(currency, (skipped.get(currency) ?? 0) + 1);
          continue;
        }
        loadedN++;
        add(t.from[k]!, t.to[k]!, amount, at, t.channel[k]!);
      }
      counts.transfersLoaded = loadedN;
      for (const [currency, k] of skipped) {
        warnings.push(`${k} transfers in ${currency} left out: no rate to ${config.analysis.baseCurrency} in ACCTNET_FX_RATES`);
        counts[`skipped${currency}`] = k;
      }
      return aggregator.finish();
    });

    // The run's context. Not read while the window loads: measured, that slowed the load by more
    // than it saved (docs/decisions.md, "the context while the load streams").
    const context = await timed('context', async () => {
      const withSources = await createLabelRepository(driver, config.neo4j).currentWithSources();
      const labels = new Map<string, LabelValue>([...withSources].map(([id, l]) => [id, l.label]));
      const labelSources = new Map([...withSources].map(([id, l]) => [id, l.source]));
      const current = (await read((tx) => tx.run(cypher('runs/current-run')))).records[0]?.get('runId') as string | undefined;
      const previousClusters = new Map<string, string>();
      const createdRunSeq = new Map<string, number>();
      if (current) {
        const r = await read((tx) => tx.run(cypher('analysis/previous-clusters'), { runId: current }));
        for (const row of r.records) previousClusters.set(row.get('accountId'), row.get('clusterId'));
        const seqs = await read((tx) => tx.run(cypher('analysis/previous-cluster-seqs'), { runId: current }));
        for (const row of seqs.records)
          if (row.get('createdRunSeq') !== null) createdRunSeq.set(row.get('clusterId'), toNumber(row.get('createdRunSeq')));
      }
      const seq = (await write((tx) => tx.run(cypher('runs/next-sequence'), { name: 'clusterId', by: int(0) }))).records[0]!.get('value');
      let nextClusterSeq = toNumber(seq) + 1;
      for (const id of previousClusters.values()) nextClusterSeq = Math.max(nextClusterSeq, parseClusterSeq(id) + 1);
      counts.labels = labels.size;
      // Accounts on the served list have fallen (they know they are blocked): since the data time
      // of the run that first listed them. So have the accounts a run listed within the migration's
      // lag and a later run dropped (blocked, they died; not those an investigator excluded or
      // labelled legit): the same predecessors as the successor watch's, so that a run can confirm
      // what the watch recorded (docs/decisions.md, "The watch keeps accounts a run dropped from the list").
      const listedAt = new Map<string, number>();
      const blacklist = createBlacklistRepository(driver, config.neo4j);
      const successors = createSuccessorRepository(driver, config.neo4j);
      // Accounts a run listed (not a manual or a provisional entry): the list's hysteresis.
      const listedBefore = new Set<string>();
      const droppedListed = new Map<string, number>();
      const state = await blacklist.state();
      if (state.servedVersion !== null && asOf !== null) {
        const entries = await blacklist.entries(state.servedVersion);
        for (const e of entries) if (madeByRun(e)) listedBefore.add(e.accountId);
        const onList = new Set(entries.map((e) => e.accountId));
        // Never an account the served version lists (the query leaves those out).
        const since = asOf - MIGRATION_DEFAULTS.maxLagDays * DAY;
        for (const d of await droppedFromList({ blacklist, successors }, state.servedVersion, since, labels))
          droppedListed.set(d.id, d.droppedAt);
        counts.droppedListed = droppedListed.size;
        for (const [id, at] of await successors.listingTimes([...onList, ...droppedListed.keys()])) listedAt.set(id, Math.min(at, asOf));
      }
      // Pairs an investigator rejected are not linked by the run either (docs/api.md, migrations).
      const rejectedPairs = await successors.rejectedPairs();
      counts.listedBefore = listedBefore.size;
      return {
        firstSeen,
        labels,
        labelSources,
        previousClusters,
        createdRunSeq,
        nextClusterSeq,
        listedAt,
        droppedListed,
        listedBefore,
        rejectedPairs,
      };
    });

    // Clusters and migration links are final before the learned step (runAnalysis's onClustersReady):
    // written then, while the analysis thread computes and Neo4j would otherwise be idle. Large
    // batches: the analysis thread gives the event loop no turn during the learned step, so only the
    // transaction under way proceeds meanwhile.
    const writeClusters = async (clusters: AnalysisOutput['clusters'], migrations: AnalysisOutput['migrations']): Promise<void> => {
      let started = performance.now();
      const previousIds = new Set(context.previousClusters.values());
      // Parallel lists, one per property, as for the accounts (write-cluster-results.cypher).
      for (let k = 0; k < clusters.length; k += CLUSTER_BATCH) {
        const batch = clusters.slice(k, k + CLUSTER_BATCH);
        const cols = {
          clusterId: batch.map((c) => c.id),
          size: batch.map((c) => c.members.length),
          type: batch.map((c) => c.typology.type),
          score: batch.map((c) => c.score),
          reasons: batch.map((c) => c.reasons),
          notes: batch.map((c) => c.typology.notes),
          evidence: batch.map((c) => JSON.stringify(c.typology.evidence)),
          members: batch.map((c) => c.members),
          isNew: batch.map((c) => !previousIds.has(c.id)),
          createdRunSeq: batch.map((c) => int(context.createdRunSeq.get(c.id) ?? input.runSeq)),
        };
        await write((tx) => tx.run(cypher('analysis/write-cluster-results'), { runId, ...cols }));
      }
      timings['write.clusters'] = Math.round(performance.now() - started);
      started = performance.now();
      const migrationRows = migrations.map((m) => ({
        from: m.from,
        to: m.to,
        score: m.score,
        fallAt: m.fallAt,
        riseAt: m.riseAt,
        evidence: JSON.stringify(m.evidence),
      }));
      for (let k = 0; k < migrationRows.length; k += WRITE_BATCH) {
        await write((tx) => tx.run(cypher('analysis/write-migrations'), { runId, rows: migrationRows.slice(k, k + WRITE_BATCH) }));
      }
      timings['write.migrations'] = Math.round(performance.now() - started);
    };
    let clustersWritten: Promise<void> | null = null;

    // The account graph (the largest object of the run) lives only in PageRank's thread
    // (src/analysis/pagerank-thread.ts): the last steps and the writes below do not run against it.
    const out: AnalysisOutput = await runAnalysis({
      flows,
      firstSeen: context.firstSeen,
      labels: context.labels,
      labelSources: context.labelSources,
      previousClusters: context.previousClusters,
      nextClusterSeq: context.nextClusterSeq,
      listedAt: context.listedAt,
      droppedListed: context.droppedListed,
      listedBefore: context.listedBefore,
      rejectedPairs: context.rejectedPairs,
      params,
      onStep: (step) => report(step),
      pagerankThread: { heapMb: config.analysis.heapMb },
      onClustersReady: ({ clusters, migrations }) => {
        clustersWritten = writeClusters(clusters, migrations);
        // Awaited in the write step; a failure fails the run there.
        clustersWritten.catch(() => {});
      },
    });
    Object.assign(timings, out.timings);
    Object.assign(counts, out.counts);
    result.model = { ...out.model };
    if (out.model.status === 'too_few_labels' || out.model.status === 'unreliable') warnings.push(out.model.message!);
    // Labels mostly older than the window: history imported for a longer span than the analysis
    // reads (routine in a long-running store are a few old ones, noted on the model card only).
    const outside = out.model.labels.outsideWindow;
    if (outside.fraud > out.model.labels.fraud)
      warnings.push(
        `${outside.fraud} of ${outside.fraud + out.model.labels.fraud} fraud labels are on accounts with no transfer in the window (the last ${config.analysis.windowDays} days before asOf): they do not train the model and their accounts get no score; set ACCTNET_WINDOW_DAYS to cover the history you imported`,
      );
    if (out.shadowCandidates) {
      const served = new Set(out.candidates.map((e) => e.accountId));
      const shadow = new Set(out.shadowCandidates.map((e) => e.accountId));
      result.model.shadow = {
        listed: shadow.size,
        added: [...shadow].filter((id) => !served.has(id)).length,
        removed: [...served].filter((id) => !shadow.has(id)).length,
      };
    }
    await write((tx) =>
      tx.run(cypher('runs/next-sequence'), { name: 'clusterId', by: int(Math.max(0, out.nextClusterSeq - context.nextClusterSeq)) }),
    );

    const reviewIds = new Set(out.review.map((e) => e.accountId));
    const listedIds = new Set(out.candidates.map((e) => e.accountId));
    const shadowIds = out.shadowCandidates ? new Set(out.shadowCandidates.map((e) => e.accountId)) : null;
    await timed('write', async () => {
      const n = flows.ids.length;
      const B = flows.buckets;
      // Two writers: Neo4j spends most of a batch's time on its own side, so overlapping helps.
      let nextStart = 0;
      let written = 0;
      let dbMs = 0;
      const writer = async () => {
        for (let start = nextStart; start < n; start = nextStart) {
          nextStart = start + WRITE_BATCH;
          // One list per property (parallel, indexed in Cypher) instead of one map per row: the
          // driver packs and Neo4j unpacks far fewer values (no repeated keys, no map per row).
          const end = Math.min(n, start + WRITE_BATCH);
          const size = end - start;
          const cols = {
            accountId: new Array<string>(size),
            clusterId: new Array<string | null>(size),
            role: new Array<string>(size),
            score: new Array<number>(size),
            reasons: new Array<string[]>(size),
            review: new Array<boolean>(size),
            listed: new Array<boolean | null>(size),
            metrics: new Array<string>(size),
          };
          for (let i = start; i < end; i++) {
            const id = flows.ids[i]!;
            const k = i - start;
            cols.accountId[k] = id;
            cols.clusterId[k] = out.clusterOf[i] ?? null;
            cols.role[k] = out.roles[i]!;
            cols.score[k] = out.score[i]!;
            cols.reasons[k] = out.reasons[i]!;
            cols.review[k] = reviewIds.has(id);
            // The run's list, exactly (a version rebuilt from this run's results — an override, an
            // approval, a rollback — must not take in an account the run left off); stored only
            // where a score rule could read it otherwise (null is not stored).
            cols.listed[k] = listedIds.has(id)
              ? true
              : out.score[i]! >= params.threshold || out.reasons[i]!.includes(STILL_LISTED)
                ? false
                : null;
            cols.metrics[k] = JSON.stringify({
              rulesScore: out.rulesScore[i],
              learnedScore: out.learnedScore ? Math.round(out.learnedScore[i]! * 1000) / 1000 : null,
              anomaly: out.anomaly ? Math.round(out.anomaly[i]! * 1000) / 1000 : null,
              shadowListed: shadowIds ? shadowIds.has(id) : null,
              hub: out.isHub[i] === 1,
              pagerank: out.centrality.pagerank[i],
              betweenness: Number.isNaN(out.centrality.betweenness[i]!) ? null : out.centrality.betweenness[i],
              inDegree: out.centrality.inDegree[i],
              outDegree: out.centrality.outDegree[i],
              inAmount: Math.round(out.centrality.inStrength[i]! * 100) / 100,
              outAmount: Math.round(out.centrality.outStrength[i]! * 100) / 100,
              inCount: flows.inCount[i],
              outCount: flows.outCount[i],
              forwardShare: Math.round(out.features.forwardShare[i]! * 1000) / 1000,
              ordinaryShare: Math.round(out.features.ordinary[i]! * 1000) / 1000,
              firstAt: flows.firstAt[i],
              lastAt: flows.lastAt[i],
              firstSeenAt: context.firstSeen.get(id) ?? flows.firstAt[i],
              activity: Array.from(flows.activity.subarray(i * B, (i + 1) * B)),
            });
          }
          const dbStarted = performance.now();
          await write((tx) => tx.run(cypher('analysis/write-account-results'), { runId, ...cols }));
          dbMs += performance.now() - dbStarted;
          written += size;
          counts.accountsWritten = written;
          report('write');
        }
      };
      let started = performance.now();
      await Promise.all([writer(), writer()]);
      timings['write.accounts'] = Math.round(performance.now() - started);
      timings['write.accounts.db'] = Math.round(dbMs);
      // Shadow mode: which accounts the learned list would add and drop (GET /v1/runs/:id/shadow).
      if (out.shadowCandidates) {
        const served = new Map(out.candidates.map((e) => [e.accountId, e]));
        const shadow = new Map(out.shadowCandidates.map((e) => [e.accountId, e]));
        const rows = [
          ...[...shadow.values()].filter((e) => !served.has(e.accountId)).map((e) => ({ ...e, change: 'added' })),
          ...[...served.values()].filter((e) => !shadow.has(e.accountId)).map((e) => ({ ...e, change: 'removed' })),
        ];
        for (let k = 0; k < rows.length; k += WRITE_BATCH)
          await write((tx) => tx.run(cypher('analysis/write-shadow-entries'), { runId, rows: rows.slice(k, k + WRITE_BATCH) }));
      }
      // Clusters and migration links: written while the learned step computed (onClustersReady).
      started = performance.now();
      await (clustersWritten ?? writeClusters(out.clusters, out.migrations));
      timings['write.clusters.wait'] = Math.round(performance.now() - started);
    });

    result.candidates = out.candidates;
    return result;
  } finally {
    await driver.close();
  }
}
