// Successors by status, newest first, paged by (detectedAt, key).
// Params: $statuses [string], $minScore: float, $afterAt: int|null, $afterKey: string, $limit: int.
// Returns: successor (properties).
MATCH (s:Successor)
WHERE s.status IN $statuses AND s.score >= $minScore
  AND ($afterAt IS NULL OR s.detectedAt < $afterAt OR (s.detectedAt = $afterAt AND s.key > $afterKey))
RETURN properties(s) AS successor
ORDER BY s.detectedAt DESC, s.key
LIMIT $limit
