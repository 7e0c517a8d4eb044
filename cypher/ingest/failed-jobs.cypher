// The kept failed jobs of a batch that have no written marker: failed (failedAt after the last
// retry) or retrying (re-enqueued since). Without their payload.
// Params: $batchId. Returns: seq, jobId, reason, attempts, failedAt, retriedAt, retries.
MATCH (f:FailedIngestJob {batchId: $batchId})
WHERE NOT EXISTS { MATCH (:IngestChunk {key: f.key}) }
RETURN f.seq AS seq, f.jobId AS jobId, f.reason AS reason, f.attempts AS attempts, f.failedAt AS failedAt,
       f.retriedAt AS retriedAt, f.retries AS retries
ORDER BY f.seq
