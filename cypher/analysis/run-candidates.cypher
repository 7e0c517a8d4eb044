// The run's list before overrides: the accounts it listed (listed = true). Runs stored before that
// flag was kept: accounts at or above a score, not on the run's review list (at or above the
// threshold on the learned or anomaly score alone), or kept below it (STILL_LISTED, the hysteresis)
// — which also took in accounts the model alone scored high on too little history, which the run had
// left off the list (ACCTNET_REVIEW_MIN_TRANSFERS); their flag is false since.
// Params: $runId, $threshold: float. Returns: accountId, clusterId, score, reasons.
MATCH (r:AccountResult {runId: $runId})
WHERE coalesce(r.listed, (r.score >= $threshold OR 'STILL_LISTED' IN r.reasons) AND coalesce(r.review, false) = false)
RETURN r.accountId AS accountId, r.clusterId AS clusterId, r.score AS score, r.reasons AS reasons
ORDER BY r.accountId
