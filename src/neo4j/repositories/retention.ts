// Retention: what old data acctnet deletes. The bulk deletions run as auto-commit queries (they
// batch themselves with CALL { … } IN TRANSACTIONS), so they take no transaction parameter.
import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { fromDriverError } from '../../errors.js';
import { int } from '../convert.js';
import { cypher } from '../cypher.js';
import { sessionConfig } from '../driver.js';
import { optionalTx } from '../session.js';

export type BulkStep = 'transfers' | 'orphan-accounts' | 'ingest-bookkeeping' | 'runs' | 'deliveries';

export function createRetentionRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = optionalTx(driver, cfg);
  return {
    /**
     * One bulk deletion (auto-commit): transfers, ingest bookkeeping and deliveries older than
     * `before`, runs older than `before` except `keep`, accounts left without transfers.
     */
    async bulk(step: BulkStep, params: { before?: number; keep?: readonly string[] } = {}): Promise<void> {
      const session = driver.session(sessionConfig(cfg, 'WRITE'));
      try {
        await session.run(cypher(`prune/${step}`), {
          ...(params.before === undefined ? {} : { before: int(params.before) }),
          ...(params.keep === undefined ? {} : { keep: [...params.keep] }),
        });
      } catch (err) {
        throw fromDriverError(err);
      } finally {
        await session.close();
      }
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
  };
}
