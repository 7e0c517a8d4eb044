// A page of a shadow-mode run's list changes (write-shadow-entries.cypher), highest score first.
// Params: $runId, $change ('added'|'removed'), $afterScore: float|null, $afterId: string|null, $limit: int.
// Returns: accountId, clusterId, score, reasons.
MATCH (e:ShadowEntry {runId: $runId, change: $change})
WHERE $afterScore IS NULL OR e.score < $afterScore OR (e.score = $afterScore AND e.accountId > $afterId)
RETURN e.accountId AS accountId, e.clusterId AS clusterId, e.score AS score, e.reasons AS reasons
ORDER BY score DESC, accountId
LIMIT $limit
