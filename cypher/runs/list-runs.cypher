// Runs, newest first, paged by run number.
// Params: $beforeSeq: int, $limit: int. Returns: run (map of all properties).
MATCH (r:Run) WHERE r.seq < $beforeSeq
RETURN properties(r) AS run
ORDER BY r.seq DESC
LIMIT $limit
