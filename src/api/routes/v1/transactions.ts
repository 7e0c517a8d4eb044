import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { newBatchId } from '../../../ingest/batch-producer.js';
import { describeBatch } from '../../../ingest/batch-report.js';
import { clipRaw, fieldsFromObject, txIdOf } from '../../../ingest/read-rows.js';
import { ingestJobId, type IngestJobData } from '../../../queue/ingest-queue.js';
import { HttpError, notFound } from '../../errors.js';
import { errorResponses, NullableIsoTime } from '../../schemas/common.js';

const TransactionInput = Type.Object(
  {
    tx_id: Type.Optional(Type.Unknown()),
    from_account: Type.Optional(Type.Unknown()),
    to_account: Type.Optional(Type.Unknown()),
    amount: Type.Optional(Type.Unknown()),
    currency: Type.Optional(Type.Unknown()),
    timestamp: Type.Optional(Type.Unknown()),
    channel: Type.Optional(Type.Unknown()),
  },
  {
    description:
      'Canonical record. Rows are validated one by one by the workers: a bad row is rejected with its reason, the rest of the batch goes on.',
    examples: [
      {
        tx_id: 't-1',
        from_account: 'A1',
        to_account: 'B7',
        amount: '125.40',
        currency: 'EUR',
        timestamp: '2026-03-01T10:15:00Z',
        channel: 'card',
      },
    ],
  },
);

const Accepted = Type.Object({
  batchId: Type.String(),
  rows: Type.Integer(),
  jobs: Type.Integer(),
  statusUrl: Type.String(),
});

const RejectedRowSchema = Type.Object({
  line: Type.Integer(),
  reason: Type.String(),
  raw: Type.String(),
  txId: Type.Union([Type.String(), Type.Null()]),
});

export const BatchReportSchema = Type.Object({
  id: Type.String(),
  source: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  createdAt: NullableIsoTime,
  state: Type.Union([Type.Literal('reading'), Type.Literal('writing'), Type.Literal('done'), Type.Literal('failed')]),
  aborted: Type.Union([Type.String(), Type.Null()], {
    description:
      'why the import feeding this batch stopped before the end (Redis unreachable longer than ACCTNET_IMPORT_REDIS_WAIT_MS); the state is then failed',
  }),
  rows: Type.Union([Type.Integer(), Type.Null()]),
  received: Type.Integer(),
  written: Type.Integer(),
  duplicates: Type.Integer({ description: 'rows whose tx_id was already stored with the same content' }),
  rejected: Type.Integer(),
  jobs: Type.Object({
    total: Type.Union([Type.Integer(), Type.Null()]),
    done: Type.Integer(),
    failed: Type.Integer(),
    pending: Type.Union([Type.Integer(), Type.Null()]),
  }),
  failedJobs: Type.Array(Type.Object({ jobId: Type.String(), reason: Type.String() })),
  rejectedRows: Type.Array(RejectedRowSchema, { description: 'rows at index (line) > rejectedAfter, at most rejectedLimit' }),
  nextRejectedAfter: Type.Union([Type.Integer(), Type.Null()]),
});

/** What a refused client is told to wait before retrying; it should back off further on repeats. */
export const INGEST_RETRY_AFTER_S = 10;

const transactions: FastifyPluginAsyncTypebox = async (app) => {
  const { config } = app;

  app.post(
    '/transactions',
    {
      config: { roles: ['ingest'], redis: true },
      bodyLimit: config.http.bodyLimitBytes,
      schema: {
        summary: 'Queue transactions for ingest',
        description: `JSON array of 1..${config.ingest.httpMaxRows} canonical records. Answers 202 with a batch id; follow it at statusUrl. 429 with Retry-After when the ingest backlog is full (ACCTNET_INGEST_MAX_BACKLOG_JOBS): nothing was queued; send the same body again later. 413 when the request alone needs more jobs than that bound (send fewer rows per request).`,
        tags: ['ingest'],
        body: Type.Array(TransactionInput, { minItems: 1, maxItems: config.ingest.httpMaxRows }),
        response: { 202: Accepted, ...errorResponses },
      },
    },
    async (request, reply) => {
      const rows = request.body as Array<Record<string, unknown>>;
      const batchId = newBatchId('http');
      const size = config.ingest.batchSize;
      const jobs: IngestJobData[] = [];
      for (let start = 0, seq = 0; start < rows.length; start += size, seq++) {
        const job: IngestJobData = { batchId, seq, rows: [], rejected: [] };
        rows.slice(start, start + size).forEach((obj, i) => {
          const line = start + i;
          const { fields, bad } = fieldsFromObject(obj);
          // The element as sent (all its keys), so a rejected row shows what the client posted.
          const raw = clipRaw(JSON.stringify(obj));
          if (bad) job.rejected.push({ line, reason: bad, raw, ...txIdOf(fields) });
          else job.rows.push({ line, fields, raw });
        });
        jobs.push(job);
      }
      // A request that alone needs more jobs than the bound could never be queued: say so (413), not
      // "retry later" (429), which a client would follow for ever.
      if (jobs.length > config.ingest.maxBacklogJobs) {
        const most = config.ingest.maxBacklogJobs * size;
        throw new HttpError(
          413,
          `This request needs ${jobs.length} ingest jobs of ${size} rows, more than the ingest backlog bound (ACCTNET_INGEST_MAX_BACKLOG_JOBS=${config.ingest.maxBacklogJobs}) allows at once: nothing was queued; send at most ${most} rows per request.`,
        );
      }
      const rt = app.runtime;
      // Back-pressure: with Redis on noeviction a queue that only grows would stop every queue and
      // the publication lock. Nothing is created or queued when the backlog is full.
      const counts = await rt.ingestQueue().getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children');
      const backlog = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
      if (backlog + jobs.length > config.ingest.maxBacklogJobs) {
        reply.header('retry-after', String(INGEST_RETRY_AFTER_S));
        throw new HttpError(
          429,
          `The ingest backlog is full (${backlog} jobs not yet written; this request needs ${jobs.length}, the bound is ${config.ingest.maxBacklogJobs}): nothing was queued. Retry the same request after ${INGEST_RETRY_AFTER_S} s, backing off if it is refused again.`,
        );
      }
      await rt.batches().create({
        id: batchId,
        source: 'http',
        name: null,
        expectedChunks: jobs.length,
        expectedRows: rows.length,
        createdBy: request.principal?.keyId ?? null,
      });
      try {
        await rt.ingestQueue().addBulk(jobs.map((data) => ({ name: 'chunk', data, opts: { jobId: ingestJobId(batchId, data.seq) } })));
      } catch (err) {
        // Redis failed between the backlog check and the jobs (gone, or full): the client is answered
        // 503 without the batch id, and the record says why it will never be written, rather than
        // reporting its jobs "lost" a minute later. (Should Redis have taken the jobs before failing,
        // they are written and the batch reads done.)
        await rt
          .batches()
          .abort(
            batchId,
            `its jobs could not be queued (${(err as Error).message}); the request was answered 503: resend the rows (rows already stored count as duplicates)`,
          )
          .catch(() => {});
        throw err;
      }
      return reply.code(202).send({ batchId, rows: rows.length, jobs: jobs.length, statusUrl: `/v1/ingest/batches/${batchId}` });
    },
  );

  app.get(
    '/ingest/batches/:id',
    {
      config: { roles: ['ingest', 'investigator'] },
      schema: {
        summary: 'Progress of an ingest batch and its rejected rows (ingest keys: only batches they posted)',
        tags: ['ingest'],
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        querystring: Type.Object({
          rejectedAfter: Type.Integer({
            minimum: -1,
            default: -1,
            description: 'line (0-based index for HTTP batches) after which to list rejected rows',
          }),
          rejectedLimit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: BatchReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const rt = app.runtime;
      // Rejected rows hold other clients' raw data: an ingest key sees only the batches it posted
      // (others answer the same 404 as an absent batch, so ids cannot be probed); investigators and
      // admins see every batch.
      if (request.principal?.role === 'ingest' && (await rt.batches().owner(request.params.id)) !== request.principal.keyId) {
        throw notFound(`No ingest batch ${request.params.id}`);
      }
      const report = await describeBatch(rt.batches(), rt.ingestQueue(), request.params.id, request.query);
      if (!report) throw notFound(`No ingest batch ${request.params.id}`);
      return report;
    },
  );
};

export default transactions;
