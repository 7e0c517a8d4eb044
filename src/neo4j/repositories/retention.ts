// Retention: what old data acctnet deletes. The bulk deletions run as auto-commit queries (they
// batch themselves with CALL { … } IN TRANSACTIONS), so they take no transaction parameter.
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { fromDriverError } from '../../errors.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { sessionConfig } from '../driver.js';
import { optionalTx } from '../session.js';

export type BulkStep = 'transfers' | 'ingest-bookkeeping' | 'runs' | 'deliveries';

export interface PrunePreview {
  transfers: number;
  /** Old transfers kept because an end is under legal hold (labelled, overridden or listed). */
  transfersHeld: number;
  batches: number;
  runs: number;
  deliveries: number;
}

export interface RetentionState {
  transfersDays: number;
  versions: number;
  appliedAt: number;
  /** Announced by a run (which deleted nothing), not applied yet: the next run applies them. */
  pending: boolean;
}

export function createRetentionRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = optionalTx(driver, cfg);
  return {
    /**
     * One bulk deletion (auto-commit), returning how many it deleted: transfers older than `before`
     * whose ends are not in `held`; ingest batches and deliveries older than `before`; runs older
     * than `before` except `keep`.
     */
    /** Transfers dated after `after`: how many (a dry run) or delete them (counted for incremental runs, as retention's). */
    async futureTransfers(after: number, dryRun: boolean): Promise<number> {
      if (dryRun) {
        const r = await read(undefined, (t) => t.run(cypher('analysis/future-transfers'), { until: int(after) }));
        return toNumber(r.records[0]?.get('n') ?? 0);
      }
      const session = driver.session(sessionConfig(cfg, 'WRITE'));
      try {
        const r = await session.run(cypher('prune/future-transfers'), { after: int(after) });
        const deleted = toNumber(r.records[0]?.get('deleted') ?? 0);
        // Counted as deleted by retention (not inside any window: no `before`), so the next
        // incremental run's count of stored transfers still matches its snapshot.
        await session.run(cypher('prune/mark-transfers-pruned'), { before: int(0), deleted: int(deleted) });
        return deleted;
      } finally {
        await session.close();
      }
    },

    async bulk(step: BulkStep, params: { before: number; keep?: readonly string[]; held?: readonly string[] }): Promise<number> {
      const session = driver.session(sessionConfig(cfg, 'WRITE'));
      try {
        // Transfers: marked before (an incremental run loading meanwhile sees a deletion under way)
        // and after with the count (src/runs/incremental.ts checks its snapshot against both).
        const mark = (deleted: number) =>
          session.run(cypher('prune/mark-transfers-pruned'), { before: int(params.before), deleted: int(deleted) });
        if (step === 'transfers') await mark(0);
        const r = await session.run(cypher(`prune/${step}`), {
          before: int(params.before),
          ...(params.keep === undefined ? {} : { keep: [...params.keep] }),
          ...(params.held === undefined ? {} : { held: [...params.held] }),
        });
        const deleted = toNumber(r.records[0]?.get('deleted') ?? 0);
        if (step === 'transfers' && deleted > 0) await mark(deleted);
        return deleted;
      } catch (err) {
        throw fromDriverError(err);
      } finally {
        await session.close();
      }
    },

    /** Counts of what a prune before `before` would delete (nothing is deleted). */
    async preview(before: number, held: readonly string[], keep: readonly string[], tx?: ManagedTransaction): Promise<PrunePreview> {
      const r = await read(tx, (t) => t.run(cypher('prune/preview'), { before: int(before), held: [...held], keep: [...keep] }));
      const row = r.records[0]!;
      return {
        transfers: toNumber(row.get('transfers')),
        transfersHeld: toNumber(row.get('transfersHeld')),
        batches: toNumber(row.get('batches')),
        runs: toNumber(row.get('runs')),
        deliveries: toNumber(row.get('deliveries')),
      };
    },

    /** Accounts whose transfers retention keeps: labelled, overridden, or listed in the served version. */
    async heldAccounts(served: number | null, tx?: ManagedTransaction): Promise<string[]> {
      const r = await read(tx, (t) => t.run(cypher('prune/held-accounts'), { served: served === null ? null : int(served) }));
      return r.records.map((x) => x.get('accountId') as string).filter((id) => typeof id === 'string');
    },

    /** Versions beyond the newest `keepCount`, never the served, the pinned, or one a webhook has not acknowledged past. */
    async oldVersions(keepCount: number, served: number | null, pinned: number | null, tx?: ManagedTransaction): Promise<number[]> {
      const r = await read(tx, (t) =>
        t.run(cypher('prune/old-versions'), {
          keepCount: int(keepCount),
          served: served === null ? null : int(served),
          pinned: pinned === null ? null : int(pinned),
        }),
      );
      return r.records.map((x) => Number(x.get('version')));
    },

    /** Deletes one blacklist version with its entries, body chunks and stored diffs. */
    async deleteVersion(version: number, tx?: ManagedTransaction): Promise<void> {
      await write(tx, (t) => t.run(cypher('prune/delete-version'), { version: int(version) }));
    },

    /** Data time: the latest transfer (a run's default asOf); null when there are none. */
    async latestTransferAt(until: number, tx?: ManagedTransaction): Promise<number | null> {
      const r = await read(tx, (t) => t.run(cypher('analysis/latest-transfer'), { until: int(until) }));
      return toNumberOrNull(r.records[0]?.get('at') ?? null);
    },

    /** The retention settings last applied after a run; null before the first application. */
    async state(tx?: ManagedTransaction): Promise<RetentionState | null> {
      const r = (await read(tx, (t) => t.run(cypher('prune/retention-state')))).records[0];
      if (!r) return null;
      return {
        transfersDays: toNumber(r.get('transfersDays')),
        versions: toNumber(r.get('versions')),
        appliedAt: toNumberOrNull(r.get('appliedAt')) ?? 0,
        pending: r.get('pending') === true,
      };
    },

    async setState(s: RetentionState, tx?: ManagedTransaction): Promise<void> {
      await write(tx, (t) =>
        t.run(cypher('prune/set-retention-state'), {
          transfersDays: int(s.transfersDays),
          versions: int(s.versions),
          appliedAt: int(s.appliedAt),
          pending: s.pending,
        }),
      );
    },
  };
}
