// A page of a version's pre-rendered body, in order.
// Params: $version: int, $format ('json'|'csv'), $fromSeq: int, $limit: int. Returns: seq, data.
MATCH (c:BlacklistChunk {version: $version, format: $format})
WHERE c.seq >= $fromSeq
RETURN c.seq AS seq, c.data AS data
ORDER BY c.seq
LIMIT $limit
