// Records that a kept failed job was re-enqueued (`acctnet batches retry`).
// Params: $key, $at: int. Returns: nothing.
MATCH (f:FailedIngestJob {key: $key})
SET f.retriedAt = $at, f.retries = coalesce(f.retries, 0) + 1
