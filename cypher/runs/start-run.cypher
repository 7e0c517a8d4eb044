// Records a run as started; any run still marked running was abandoned (its worker died): only one
// recompute runs at a time (global concurrency 1).
// Params: $id, $seq: int, $jobId, $trigger, $requestedBy, $requestedAt: int, $startedAt: int, $params (JSON).
// Returns: id.
OPTIONAL MATCH (stale:Run {status: 'running'})
SET stale.status = 'abandoned', stale.finishedAt = $startedAt, stale.error = 'the worker running it stopped before it finished'
WITH count(stale) AS _
CREATE (r:Run {id: $id, seq: $seq, jobId: $jobId, trigger: $trigger, requestedBy: $requestedBy, requestedAt: $requestedAt,
               startedAt: $startedAt, status: 'running', step: 'queued', params: $params})
RETURN r.id AS id
