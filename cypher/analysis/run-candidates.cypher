// Accounts of a run at or above a score: the list before overrides.
// Params: $runId, $threshold: float. Returns: accountId, clusterId, score, reasons.
MATCH (r:AccountResult {runId: $runId})
WHERE r.score >= $threshold
RETURN r.accountId AS accountId, r.clusterId AS clusterId, r.score AS score, r.reasons AS reasons
ORDER BY r.accountId
