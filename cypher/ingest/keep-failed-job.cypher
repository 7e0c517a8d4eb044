// Keeps an ingest job that failed for good, with its rows (the job payload as JSON) and the error.
// Idempotent: a job that fails again after a retry updates its record.
// Params: $key, $batchId, $seq: int, $jobId, $reason, $attempts: int, $failedAt: int, $payload (JSON).
// Returns: key.
MERGE (f:FailedIngestJob {key: $key})
  ON CREATE SET f.batchId = $batchId, f.seq = $seq, f.retries = 0
SET f.jobId = $jobId, f.reason = $reason, f.attempts = $attempts, f.failedAt = $failedAt, f.payload = $payload
RETURN f.key AS key
