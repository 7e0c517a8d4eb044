// Clusters of a run with filters, ordered by risk, paged by a (value, id) cursor.
// Params: $runId, $minRisk: float, $type (null: any), $minSize: int, $maxSize: int, $newSinceSeq: int|null,
//         $afterValue (null on the first page), $afterId, $limit: int. Returns: cluster (map without members).
MATCH (c:ClusterResult {runId: $runId})
WHERE c.score >= $minRisk AND ($type IS NULL OR c.type = $type) AND c.size >= $minSize AND c.size <= $maxSize
  AND ($newSinceSeq IS NULL OR c.createdRunSeq > $newSinceSeq)
  AND ($afterValue IS NULL OR c.score < $afterValue OR (c.score = $afterValue AND c.clusterId > $afterId))
RETURN c {.*, members: null} AS cluster
ORDER BY c.score DESC, c.clusterId
LIMIT $limit
