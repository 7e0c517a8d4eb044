import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { fromDriverError } from '../../errors.js';
import { sessionConfig } from '../driver.js';
import { optionalTx, txRunner } from '../session.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'superseded' | 'abandoned';

export interface RunRecord {
  id: string;
  seq: number;
  jobId: string | null;
  trigger: string;
  requestedBy: string;
  requestedAt: number;
  startedAt: number;
  finishedAt: number | null;
  status: RunStatus;
  step: string;
  asOf: number | null;
  params: Record<string, unknown>;
  timings: Record<string, number>;
  counts: Record<string, number>;
  warnings: string[];
  error: string | null;
  blacklistVersion: number | null;
  /** The learned model's card (docs/outputs.md): labels used, cross-validated quality, top features. */
  model: Record<string, unknown> | null;
  /** What retention deleted after this run (ACCTNET_RETAIN_*), null when it did not run. */
  retention: Record<string, unknown> | null;
}

const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);

export function toRun(p: Record<string, unknown>): RunRecord {
  return {
    id: p.id as string,
    seq: toNumber(p.seq),
    jobId: (p.jobId as string | null) ?? null,
    trigger: p.trigger as string,
    requestedBy: p.requestedBy as string,
    requestedAt: toNumber(p.requestedAt ?? 0),
    startedAt: toNumber(p.startedAt),
    finishedAt: toNumberOrNull(p.finishedAt),
    status: p.status as RunStatus,
    step: (p.step as string) ?? '',
    asOf: toNumberOrNull(p.asOf),
    params: json(p.params, {}),
    timings: json(p.timings, {}),
    counts: json(p.counts, {}),
    warnings: json(p.warnings, []),
    error: (p.error as string | null) ?? null,
    blacklistVersion: toNumberOrNull(p.blacklistVersion),
    model: json(p.model, null),
    retention: json(p.retention, null),
  };
}

export function createRunRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = txRunner(driver, cfg);
  const optional = optionalTx(driver, cfg);
  return {
    async start(r: {
      jobId: string | null;
      trigger: string;
      requestedBy: string;
      requestedAt: number;
      params: unknown;
    }): Promise<{ id: string; seq: number }> {
      return write(async (tx) => {
        const seq = toNumber((await tx.run(cypher('runs/next-sequence'), { name: 'run', by: int(1) })).records[0]!.get('value'));
        const id = `run-${seq}`;
        await tx.run(cypher('runs/start-run'), {
          id,
          seq: int(seq),
          jobId: r.jobId,
          trigger: r.trigger,
          requestedBy: r.requestedBy,
          requestedAt: int(r.requestedAt),
          startedAt: int(Date.now()),
          params: JSON.stringify(r.params),
        });
        return { id, seq };
      });
    },

    async progress(id: string, step: string, timings: unknown, counts: unknown): Promise<void> {
      await write((tx) =>
        tx.run(cypher('runs/update-run'), { id, step, timings: JSON.stringify(timings), counts: JSON.stringify(counts) }),
      );
    },

    async fail(id: string, error: string, timings: unknown): Promise<void> {
      await write((tx) =>
        tx.run(cypher('runs/fail-run'), { id, error, finishedAt: int(Date.now()), timings: timings ? JSON.stringify(timings) : null }),
      );
    },

    /** Records what retention deleted after the run, with the run's warnings (retention may add some). */
    async setRetention(id: string, retention: unknown, warnings: readonly string[]): Promise<void> {
      await write((tx) =>
        tx.run(cypher('runs/set-retention'), { id, retention: JSON.stringify(retention), warnings: JSON.stringify(warnings) }),
      );
    },

    async get(id: string): Promise<RunRecord | null> {
      const r = (await read((tx) => tx.run(cypher('runs/get-run'), { id }))).records[0];
      return r ? toRun(r.get('run')) : null;
    },

    async list(beforeSeq: number, limit: number): Promise<RunRecord[]> {
      const result = await read((tx) => tx.run(cypher('runs/list-runs'), { beforeSeq: int(beforeSeq), limit: int(limit) }));
      return result.records.map((r) => toRun(r.get('run')));
    },

    /**
     * The runs whose results pruning keeps: the newest `succeeded` succeeded runs (however many
     * runs failed since), the served run, and the runs still running.
     */
    async keptRuns(succeeded: number): Promise<string[]> {
      const r = await read((tx) => tx.run(cypher('runs/kept-runs'), { succeeded: int(succeeded) }));
      return (r.records[0]?.get('runIds') as string[] | undefined) ?? [];
    },

    /** The newest succeeded run, however far back (list() pages by run number). */
    async lastSucceeded(): Promise<RunRecord | null> {
      const r = (await read((tx) => tx.run(cypher('runs/last-succeeded')))).records[0];
      return r ? toRun(r.get('run')) : null;
    },

    /** The served run and the blacklist state together (one round trip for every API request). */
    async servedSnapshot(): Promise<{
      run: RunRecord | null;
      blacklist: { servedVersion: number | null; pinnedVersion: number | null; servedAt: number | null };
      labels: { generation: number; changedAt: number | null };
    }> {
      const r = (await read((tx) => tx.run(cypher('runs/served-snapshot')))).records[0]!;
      const run = r.get('run') as Record<string, unknown> | null;
      return {
        run: run ? toRun(run) : null,
        blacklist: {
          servedVersion: toNumberOrNull(r.get('servedVersion')),
          pinnedVersion: toNumberOrNull(r.get('pinnedVersion')),
          servedAt: toNumberOrNull(r.get('servedAt')),
        },
        labels: { generation: toNumberOrNull(r.get('labelsGeneration')) ?? 0, changedAt: toNumberOrNull(r.get('labelsChangedAt')) },
      };
    },

    /**
     * Deletes the per-run results (account and cluster results, migrations) of every run not in
     * `keep`. Auto-commit, no transaction parameter: the queries batch with CALL { … } IN TRANSACTIONS.
     */
    async deleteResultsExcept(keep: readonly string[]): Promise<void> {
      const session = driver.session(sessionConfig(cfg, 'WRITE'));
      try {
        await session.run(cypher('analysis/delete-run-results'), { keep: [...new Set(keep)] });
        await session.run(cypher('analysis/delete-run-migrations'), { keep: [...new Set(keep)] });
      } catch (err) {
        throw fromDriverError(err);
      } finally {
        await session.close();
      }
    },

    async currentRunId(tx?: ManagedTransaction): Promise<string | null> {
      const r = (await optional.read(tx, (t) => t.run(cypher('runs/current-run')))).records[0];
      return (r?.get('runId') as string | undefined) ?? null;
    },

    /** Fencing: how many runs started after run number `seq` (a run publishes only while this is 0). */
    async laterRuns(seq: number, tx?: ManagedTransaction): Promise<number> {
      const r = await optional.read(tx, (t) => t.run(cypher('runs/later-runs'), { seq: int(seq) }));
      return toNumber(r.records[0]!.get('later'));
    },

    /** Makes a run's results the ones the API serves. */
    async setCurrent(runId: string, at: number, tx?: ManagedTransaction): Promise<void> {
      await optional.write(tx, (t) => t.run(cypher('runs/set-current'), { runId, at: int(at) }));
    },

    /** The final record of a run that got to the end (succeeded, or superseded by a later run). */
    async finish(
      f: {
        id: string;
        status: 'succeeded' | 'superseded';
        finishedAt: number;
        timings: unknown;
        counts: unknown;
        warnings: unknown;
        asOf: number | null;
        version: number | null;
        /** The learned model's card (null before the analysis produced one). */
        model?: unknown;
      },
      tx?: ManagedTransaction,
    ): Promise<void> {
      await optional.write(tx, (t) =>
        t.run(cypher('runs/finish-run'), {
          id: f.id,
          status: f.status,
          finishedAt: int(f.finishedAt),
          timings: JSON.stringify(f.timings),
          counts: JSON.stringify(f.counts),
          warnings: JSON.stringify(f.warnings),
          asOf: f.asOf === null ? null : int(f.asOf),
          version: f.version === null ? null : int(f.version),
          model: f.model === undefined || f.model === null ? null : JSON.stringify(f.model),
        }),
      );
    },
  };
}

export type RunRepository = ReturnType<typeof createRunRepository>;
