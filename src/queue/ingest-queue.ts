// The "ingest" queue: its name, payload schema and job options, shared by producers (CLI import,
// POST /v1/transactions) and the worker, which re-validates every payload it takes.
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Config } from '../config/index.js';

export const INGEST_QUEUE = 'ingest';

/** Batch ids become part of BullMQ job ids, which may not contain ':'. */
export const BATCH_ID_PATTERN = '^[A-Za-z0-9_-]{1,80}$';

const FieldValue = Type.Union([Type.String({ maxLength: 100_000 }), Type.Number(), Type.Null()]);

export const IngestRowSchema = Type.Object(
  {
    line: Type.Integer({ minimum: 0 }),
    fields: Type.Record(Type.String(), FieldValue),
    /** The record as read (kept with the row if it is rejected); jobs queued before it existed lack it. */
    raw: Type.Optional(Type.String({ maxLength: 100_000 })),
  },
  { additionalProperties: false },
);

/** Rows the reader could not even map (bad CSV quoting, invalid JSON): kept with their reason. */
export const PreRejectedRowSchema = Type.Object(
  {
    line: Type.Integer({ minimum: 0 }),
    reason: Type.String(),
    raw: Type.String(),
    /** The row's tx_id when it could be read (the rejection is about another field). */
    txId: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export const IngestJobSchema = Type.Object(
  {
    batchId: Type.String({ pattern: BATCH_ID_PATTERN }),
    seq: Type.Integer({ minimum: 0 }),
    rows: Type.Array(IngestRowSchema),
    rejected: Type.Array(PreRejectedRowSchema),
  },
  { additionalProperties: false },
);

export type IngestRow = Static<typeof IngestRowSchema>;
export type PreRejectedRow = Static<typeof PreRejectedRowSchema>;
export type IngestJobData = Static<typeof IngestJobSchema>;

export const ingestJobValidator = Compile(IngestJobSchema);

export function ingestJobId(batchId: string, seq: number): string {
  return `${batchId}-${seq}`;
}

export function ingestJobOptions(config: Config): JobsOptions {
  return {
    attempts: config.queue.attempts,
    backoff: { type: 'exponential', delay: config.queue.backoffMs },
    // Results live in Neo4j (IngestChunk, RejectedRow), so BullMQ only keeps a bounded history.
    removeOnComplete: { count: 1000, age: 24 * 3600 },
    removeOnFail: { count: 10000, age: 14 * 24 * 3600 },
  };
}

export function createIngestQueue(config: Config, connection: ConnectionOptions): Queue<IngestJobData> {
  return new Queue<IngestJobData>(INGEST_QUEUE, {
    connection,
    prefix: config.queue.prefix,
    defaultJobOptions: ingestJobOptions(config),
  });
}
