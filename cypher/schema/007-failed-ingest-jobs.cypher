// Ingest jobs that failed for good, kept with their rows so `acctnet batches retry` can re-enqueue
// them after BullMQ's failed-job history has moved on. key = batchId + '#' + seq (as IngestChunk).
// Params: none. Returns: nothing.
CREATE CONSTRAINT failed_ingest_job_key IF NOT EXISTS FOR (f:FailedIngestJob) REQUIRE f.key IS UNIQUE;
CREATE INDEX failed_ingest_job_batch IF NOT EXISTS FOR (f:FailedIngestJob) ON (f.batchId);
