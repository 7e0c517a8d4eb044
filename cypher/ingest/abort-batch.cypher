// Records that the import feeding a batch stopped before every job was written (Redis unreachable
// longer than ACCTNET_IMPORT_REDIS_WAIT_MS, or the file could not be read on after some jobs were
// enqueued): the batch reports "failed" with this reason, never "done".
// Params: $id, $reason, $at: int. Returns: id.
MATCH (b:IngestBatch {id: $id})
SET b.abortReason = $reason, b.abortedAt = $at
RETURN b.id AS id
