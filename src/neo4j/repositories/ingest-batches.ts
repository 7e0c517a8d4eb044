import type { Driver, Record as Neo4jRecord } from 'neo4j-driver';
import type { Neo4jConfig } from '../../config/index.js';
import { int, toNumber, toNumberOrNull } from '../convert.js';
import { cypher } from '../cypher.js';
import { txRunner } from '../session.js';
import { createFailedIngestJobRepository } from './failed-ingest-jobs.js';

export interface BatchStatus {
  id: string;
  source: string;
  name: string | null;
  createdAt: number;
  expectedChunks: number | null;
  expectedRows: number | null;
  chunksDone: number;
  received: number;
  written: number;
  duplicates: number;
  rejected: number;
  /** Sequence numbers of the chunks written, ascending. */
  doneSeqs: number[];
  /** Why the import feeding it stopped before the end (Redis unreachable too long), or null. */
  abortReason: string | null;
}

export interface RejectedRow {
  line: number;
  reason: string;
  raw: string;
  txId: string | null;
}

/** A row of batch-status or recent-batches as a BatchStatus. */
function toBatchStatus(r: Neo4jRecord, doneSeqs: number[]): BatchStatus {
  return {
    id: r.get('id'),
    source: r.get('source'),
    name: r.get('name'),
    createdAt: toNumber(r.get('createdAt')),
    expectedChunks: toNumberOrNull(r.get('expectedChunks')),
    expectedRows: toNumberOrNull(r.get('expectedRows')),
    chunksDone: toNumber(r.get('chunksDone')),
    received: toNumber(r.get('received')),
    written: toNumber(r.get('written')),
    duplicates: toNumber(r.get('duplicates')),
    rejected: toNumber(r.get('rejected')),
    doneSeqs,
    abortReason: (r.get('abortReason') as string | null) ?? null,
  };
}

export function createIngestBatchRepository(driver: Driver, cfg: Neo4jConfig) {
  const { read, write } = txRunner(driver, cfg);

  return {
    /** Jobs of a batch that failed for good, kept with their rows. */
    failed: createFailedIngestJobRepository(driver, cfg),

    /** Rows written, duplicate and rejected over every ingest job (for /metrics). */
    async totals(): Promise<{ written: number; duplicates: number; rejected: number }> {
      const row = (await read((tx) => tx.run(cypher('metrics/ingest-totals')))).records[0]!;
      return {
        written: toNumber(row.get('written')),
        duplicates: toNumber(row.get('duplicates')),
        rejected: toNumber(row.get('rejected')),
      };
    },

    async create(batch: {
      id: string;
      source: 'file' | 'http';
      name: string | null;
      expectedChunks?: number;
      expectedRows?: number;
      /** The API key that posted it (ingest keys see only their own batches). */
      createdBy?: string | null;
    }) {
      await write((tx) =>
        tx.run(cypher('ingest/create-batch'), {
          id: batch.id,
          source: batch.source,
          name: batch.name,
          createdAt: int(Date.now()),
          expectedChunks: batch.expectedChunks === undefined ? null : int(batch.expectedChunks),
          expectedRows: batch.expectedRows === undefined ? null : int(batch.expectedRows),
          createdBy: batch.createdBy ?? null,
        }),
      );
    },

    /** The key id that created the batch: undefined when there is no such batch, null when no key did. */
    async owner(id: string): Promise<string | null | undefined> {
      const r = (await read((tx) => tx.run(cypher('ingest/batch-owner'), { id }))).records[0];
      return r ? ((r.get('createdBy') as string | null) ?? null) : undefined;
    },

    async finishReading(id: string, expectedChunks: number, expectedRows: number) {
      await write((tx) =>
        tx.run(cypher('ingest/finish-batch-reading'), { id, expectedChunks: int(expectedChunks), expectedRows: int(expectedRows) }),
      );
    },

    /** Marks a batch whose import stopped before every job was written: it reports "failed", with the reason. */
    async abort(id: string, reason: string) {
      await write((tx) => tx.run(cypher('ingest/abort-batch'), { id, reason, at: int(Date.now()) }));
    },

    /** Deletes a batch nothing refers to yet (its import stopped before its first job): true if deleted. */
    async removeUnused(id: string): Promise<boolean> {
      const r = await write((tx) => tx.run(cypher('ingest/delete-unused-batch'), { id }));
      return toNumber(r.records[0]?.get('deleted') ?? 0) > 0;
    },

    /** The latest `limit` batches, newest first (their progress; doneSeqs left empty). */
    async recent(limit: number): Promise<BatchStatus[]> {
      const result = await read((tx) => tx.run(cypher('ingest/recent-batches'), { limit: int(limit) }));
      return result.records.map((r) => toBatchStatus(r, []));
    },

    async status(id: string): Promise<BatchStatus | null> {
      const result = await read((tx) => tx.run(cypher('ingest/batch-status'), { id }));
      const r = result.records[0];
      return r
        ? toBatchStatus(
            r,
            (r.get('doneSeqs') as unknown[]).map(toNumber).sort((a, b) => a - b),
          )
        : null;
    },

    async rejectedRows(batchId: string, afterLine: number, limit: number): Promise<RejectedRow[]> {
      const result = await read((tx) => tx.run(cypher('ingest/rejected-rows'), { batchId, afterLine: int(afterLine), limit: int(limit) }));
      return result.records.map((r) => ({
        line: toNumber(r.get('line')),
        reason: r.get('reason'),
        raw: r.get('raw'),
        txId: r.get('txId'),
      }));
    },

    /** Every rejected row of a batch, page by page (for the rejects file). */
    async *allRejectedRows(batchId: string, pageSize = 5000): AsyncGenerator<RejectedRow> {
      let after = -1;
      for (;;) {
        const page = await this.rejectedRows(batchId, after, pageSize);
        for (const row of page) yield row;
        if (page.length < pageSize) return;
        after = page[page.length - 1]!.line;
      }
    },
  };
}

export type IngestBatchRepository = ReturnType<typeof createIngestBatchRepository>;
