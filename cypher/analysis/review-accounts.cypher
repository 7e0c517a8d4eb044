// The review list of a run: accounts at or above the threshold whose only evidence is the learned or
// anomaly score (not served to gateways), highest score first, paged after (score, accountId).
// Params: $runId, $afterScore: float|null, $afterId: string|null, $limit: int.
// Returns: accountId, clusterId, score, reasons, metrics (JSON).
MATCH (a:AccountResult {runId: $runId})
WHERE a.review = true
  AND ($afterScore IS NULL OR a.score < $afterScore OR (a.score = $afterScore AND a.accountId > $afterId))
RETURN a.accountId AS accountId, a.clusterId AS clusterId, a.score AS score, a.reasons AS reasons, a.metrics AS metrics
ORDER BY score DESC, accountId
LIMIT $limit
