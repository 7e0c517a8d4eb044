// Accounts of a run at or above a score: the list before overrides. Accounts on the run's review
// list (at or above the threshold on the learned or anomaly score alone) are not candidates; accounts
// the run kept on the list below the threshold (STILL_LISTED, the list's hysteresis) are.
// Params: $runId, $threshold: float. Returns: accountId, clusterId, score, reasons.
MATCH (r:AccountResult {runId: $runId})
WHERE (r.score >= $threshold OR 'STILL_LISTED' IN r.reasons) AND coalesce(r.review, false) = false
RETURN r.accountId AS accountId, r.clusterId AS clusterId, r.score AS score, r.reasons AS reasons
ORDER BY r.accountId
