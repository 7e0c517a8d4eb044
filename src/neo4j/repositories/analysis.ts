// Read side of the analysis results: clusters, accounts, migrations of a run.
import type { Driver } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';

export interface ClusterSummary {
  clusterId: string;
  runId: string;
  size: number;
  type: string;
  score: number;
  reasons: string[];
  notes: string[];
  evidence: Record<string, unknown>;
  members: string[];
  isNew: boolean;
  createdRunSeq: number | null;
}

export interface MigrationLink {
  from: string;
  to: string;
  score: number;
  fallAt: number;
  riseAt: number;
  runId: string;
  evidence: Record<string, unknown>;
  fromCluster?: string | null;
  toCluster?: string | null;
}

export interface AccountMetrics {
  hub: boolean;
  pagerank: number;
  betweenness: number | null;
  inDegree: number;
  outDegree: number;
  inAmount: number;
  outAmount: number;
  inCount: number;
  outCount: number;
  forwardShare: number;
  ordinaryShare: number;
  firstAt: number;
  lastAt: number;
  firstSeenAt: number;
  activity: number[];
  /** The rules' score, the learned model's calibrated score and the anomaly score (null when not computed). */
  rulesScore?: number;
  learnedScore?: number | null;
  anomaly?: number | null;
  /** In shadow mode: whether the learned list would hold the account. */
  shadowListed?: boolean | null;
}

export interface AccountResult {
  accountId: string;
  runId: string;
  clusterId: string | null;
  role: string;
  score: number;
  reasons: string[];
  metrics: AccountMetrics;
}

export interface PairEdge {
  source: string;
  target: string;
  currency: string;
  count: number;
  /** Minor units of the currency. */
  amount: number;
  first: number;
  last: number;
}

/** One transfer, as a money-path search reads it (amount in minor units of its currency). */
export interface PathTransfer {
  txId: string;
  source: string;
  target: string;
  at: number;
  amount: number;
  currency: string;
}

export type ClusterSort = 'risk' | 'size' | 'id';

export function toCluster(p: Record<string, unknown>): ClusterSummary {
  return {
    clusterId: p.clusterId as string,
    runId: p.runId as string,
    size: toNumber(p.size),
    type: p.type as string,
    score: Number(p.score),
    reasons: (p.reasons as string[]) ?? [],
    notes: (p.notes as string[]) ?? [],
    evidence: typeof p.evidence === 'string' ? JSON.parse(p.evidence) : {},
    members: (p.members as string[] | null) ?? [],
    isNew: Boolean(p.isNew),
    createdRunSeq: toNumberOrNull(p.createdRunSeq),
  };
}

function toAccountResult(p: Record<string, unknown>): AccountResult {
  return {
    accountId: p.accountId as string,
    runId: p.runId as string,
    clusterId: (p.clusterId as string | null) ?? null,
    role: p.role as string,
    score: Number(p.score),
    reasons: (p.reasons as string[]) ?? [],
    metrics: JSON.parse(p.metrics as string) as AccountMetrics,
  };
}

function toMigration(x: { get(k: string): unknown; has(k: string): boolean }): MigrationLink {
  return {
    from: x.get('from') as string,
    to: x.get('to') as string,
    score: Number(x.get('score')),
    fallAt: toNumber(x.get('fallAt')),
    riseAt: toNumber(x.get('riseAt')),
    runId: x.get('runId') as string,
    evidence: JSON.parse(x.get('evidence') as string),
    ...(x.has('fromCluster')
      ? { fromCluster: (x.get('fromCluster') as string | null) ?? null, toCluster: (x.get('toCluster') as string | null) ?? null }
      : {}),
  };
}

export function createAnalysisRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read } = txRunner(driver, cfg);
  return {
    async topClusters(runId: string, limit: number): Promise<ClusterSummary[]> {
      const r = await read((tx) => tx.run(cypher('analysis/top-clusters'), { runId, limit: int(limit) }));
      return r.records.map((x) => toCluster(x.get('cluster')));
    },

    async listClusters(
      runId: string,
      q: {
        minRisk: number;
        type: string | null;
        minSize: number;
        maxSize: number;
        newSinceSeq: number | null;
        sort: ClusterSort;
        after: { value: number | null; id: string | null };
        limit: number;
      },
    ): Promise<ClusterSummary[]> {
      const r = await read((tx) =>
        tx.run(cypher(`analysis/clusters-by-${q.sort}`), {
          runId,
          minRisk: q.minRisk,
          type: q.type,
          minSize: int(q.minSize),
          maxSize: int(q.maxSize),
          newSinceSeq: q.newSinceSeq === null ? null : int(q.newSinceSeq),
          afterValue: q.after.value === null ? null : q.sort === 'size' ? int(q.after.value) : q.after.value,
          afterId: q.after.id,
          limit: int(q.limit),
        }),
      );
      return r.records.map((x) => toCluster(x.get('cluster')));
    },

    async cluster(runId: string, clusterId: string): Promise<ClusterSummary | null> {
      const r = (await read((tx) => tx.run(cypher('analysis/cluster'), { runId, clusterId }))).records[0];
      return r ? toCluster(r.get('cluster')) : null;
    },

    async accountResults(runId: string, ids: readonly string[]): Promise<AccountResult[]> {
      if (!ids.length) return [];
      const r = await read((tx) => tx.run(cypher('analysis/account-results'), { runId, ids }));
      return r.records.map((x) => toAccountResult(x.get('result')));
    },

    async edgesAmong(ids: readonly string[], from: number, to: number): Promise<PairEdge[]> {
      if (!ids.length) return [];
      const r = await read((tx) => tx.run(cypher('analysis/edges-among'), { ids, from: int(from), to: int(to) }));
      return r.records.map((x) => ({
        source: x.get('source'),
        target: x.get('target'),
        currency: x.get('currency'),
        count: toNumber(x.get('count')),
        amount: toNumber(x.get('amount')),
        first: toNumber(x.get('first')),
        last: toNumber(x.get('last')),
      }));
    },

    async clusterHistory(
      clusterId: string,
    ): Promise<Array<{ runId: string; seq: number; finishedAt: number | null; size: number; type: string; score: number }>> {
      const r = await read((tx) => tx.run(cypher('analysis/cluster-history'), { clusterId }));
      return r.records.map((x) => ({
        runId: x.get('runId'),
        seq: toNumber(x.get('seq')),
        finishedAt: toNumberOrNull(x.get('finishedAt')),
        size: toNumber(x.get('size')),
        type: x.get('type'),
        score: Number(x.get('score')),
      }));
    },

    async migrationsOf(runId: string, ids: readonly string[]): Promise<MigrationLink[]> {
      if (!ids.length) return [];
      const r = await read((tx) => tx.run(cypher('analysis/migrations-of'), { runId, ids }));
      return r.records.map(toMigration);
    },

    /** A page of a shadow-mode run's list changes: the accounts the learned list would add, or drop. */
    async shadowEntries(
      runId: string,
      change: 'added' | 'removed',
      after: { score: number; accountId: string } | null,
      limit: number,
    ): Promise<Array<{ accountId: string; clusterId: string | null; score: number; reasons: string[] }>> {
      const r = await read((tx) =>
        tx.run(cypher('analysis/shadow-entries'), {
          runId,
          change,
          afterScore: after?.score ?? null,
          afterId: after?.accountId ?? null,
          limit: int(limit),
        }),
      );
      return r.records.map((x) => ({
        accountId: x.get('accountId') as string,
        clusterId: (x.get('clusterId') as string | null) ?? null,
        score: x.get('score') as number,
        reasons: x.get('reasons') as string[],
      }));
    },

    /** Whether the account is on the run's review list. */
    async onReview(runId: string, accountId: string): Promise<boolean> {
      const r = await read((tx) => tx.run(cypher('analysis/on-review'), { runId, id: accountId }));
      return r.records[0]?.get('review') === true;
    },

    /** The run's review list: model-only accounts at or above the threshold, highest score first. */
    async reviewAccounts(
      runId: string,
      after: { score: number; accountId: string } | null,
      limit: number,
    ): Promise<
      Array<{
        accountId: string;
        clusterId: string | null;
        score: number;
        reasons: string[];
        learnedScore: number | null;
        anomaly: number | null;
      }>
    > {
      const r = await read((tx) =>
        tx.run(cypher('analysis/review-accounts'), {
          runId,
          afterScore: after?.score ?? null,
          afterId: after?.accountId ?? null,
          limit: int(limit),
        }),
      );
      return r.records.map((row) => {
        const metrics = JSON.parse((row.get('metrics') as string | null) ?? '{}') as {
          learnedScore?: number | null;
          anomaly?: number | null;
        };
        return {
          accountId: row.get('accountId') as string,
          clusterId: (row.get('clusterId') as string | null) ?? null,
          score: toNumber(row.get('score')),
          reasons: row.get('reasons') as string[],
          learnedScore: metrics.learnedScore ?? null,
          anomaly: metrics.anomaly ?? null,
        };
      });
    },

    async migrations(runId: string, minScore: number, limit: number): Promise<MigrationLink[]> {
      const r = await read((tx) => tx.run(cypher('analysis/migrations'), { runId, minScore, limit: int(limit) }));
      return r.records.map(toMigration);
    },

    async listMigrations(
      runId: string,
      q: {
        minScore: number;
        since: number | null;
        until: number | null;
        clusterId: string | null;
        after: { score: number; from: string; to: string } | null;
        limit: number;
      },
    ): Promise<MigrationLink[]> {
      const r = await read((tx) =>
        tx.run(cypher('analysis/list-migrations'), {
          runId,
          minScore: q.minScore,
          since: q.since === null ? null : int(q.since),
          until: q.until === null ? null : int(q.until),
          clusterId: q.clusterId,
          afterScore: q.after?.score ?? null,
          afterFrom: q.after?.from ?? '',
          afterTo: q.after?.to ?? '',
          limit: int(q.limit),
        }),
      );
      return r.records.map(toMigration);
    },

    async topCounterparties(id: string, from: number, to: number, limit: number) {
      const r = await read((tx) => tx.run(cypher('analysis/top-counterparties'), { id, from: int(from), to: int(to), limit: int(limit) }));
      return r.records.map((x) => ({
        accountId: x.get('accountId') as string,
        currency: x.get('currency') as string,
        sent: toNumber(x.get('sent')),
        received: toNumber(x.get('received')),
        transfers: toNumber(x.get('transfers')),
      }));
    },

    async neighbors(ids: readonly string[], exclude: readonly string[], limit: number) {
      const r = await read((tx) => tx.run(cypher('analysis/neighbors'), { ids, exclude, limit: int(limit) }));
      return r.records.map((x) => ({
        from: x.get('from') as string,
        neighbor: x.get('neighbor') as string,
        transfers: toNumber(x.get('transfers')),
      }));
    },

    async account(id: string): Promise<{ id: string; firstSeenAt: number | null } | null> {
      const r = (await read((tx) => tx.run(cypher('analysis/account-exists'), { id }))).records[0];
      return r ? { id: r.get('id'), firstSeenAt: toNumberOrNull(r.get('firstSeenAt')) } : null;
    },

    /**
     * One hop of a money-path search: the transfers leaving (`out`) or reaching (`in`) a frontier of
     * accounts, in time order with the money already there (`bound` = after / before, epoch ms).
     */
    async pathHop(
      direction: 'out' | 'in',
      frontier: ReadonlyArray<{ id: string; bound: number }>,
      q: { from: number; to: number; perAccount: number; perPair: number },
    ): Promise<PathTransfer[]> {
      if (!frontier.length) return [];
      const r = await read((tx) =>
        tx.run(cypher(direction === 'out' ? 'analysis/path-out' : 'analysis/path-in'), {
          frontier: frontier.map((f) => (direction === 'out' ? { id: f.id, after: int(f.bound) } : { id: f.id, before: int(f.bound) })),
          from: int(q.from),
          to: int(q.to),
          perAccount: int(q.perAccount),
          perPair: int(q.perPair),
        }),
      );
      return r.records.flatMap((x) =>
        (x.get('transfers') as Array<Record<string, unknown>>).map((t) => ({
          txId: t.txId as string,
          source: x.get('source') as string,
          target: x.get('target') as string,
          at: toNumber(t.at),
          amount: toNumber(t.amount),
          currency: t.currency as string,
        })),
      );
    },

    /** Individual transfers among a set of accounts in a window, oldest first (a case export). */
    async transfersAmong(ids: readonly string[], from: number, to: number, limit: number) {
      if (!ids.length) return [];
      const r = await read((tx) => tx.run(cypher('analysis/transfers-among'), { ids, from: int(from), to: int(to), limit: int(limit) }));
      return r.records.map((x) => ({
        txId: x.get('txId') as string,
        source: x.get('source') as string,
        target: x.get('target') as string,
        at: toNumber(x.get('at')),
        amount: toNumber(x.get('amount')),
        currency: x.get('currency') as string,
        channel: (x.get('channel') as string | null) ?? null,
      }));
    },

    /** Of some ids, those that are accounts, with their first-seen time (null if unknown). */
    async accountsExisting(ids: readonly string[]): Promise<Map<string, number | null>> {
      if (!ids.length) return new Map();
      const r = await read((tx) => tx.run(cypher('analysis/accounts-existing'), { ids }));
      return new Map(r.records.map((x) => [x.get('id') as string, toNumberOrNull(x.get('firstSeenAt'))]));
    },

    async searchAccounts(prefix: string, after: string, limit: number): Promise<Array<{ id: string; firstSeenAt: number | null }>> {
      const r = await read((tx) => tx.run(cypher('analysis/search-accounts'), { prefix, after, limit: int(limit) }));
      return r.records.map((x) => ({ id: x.get('id'), firstSeenAt: toNumberOrNull(x.get('firstSeenAt')) }));
    },
  };
}

export type AnalysisRepository = ReturnType<typeof createAnalysisRepository>;
