// The newest succeeded run, however many runs failed since (for /metrics' last-success gauge).
// Params: none. Returns: run (map of all properties); no row when no run ever succeeded.
MATCH (r:Run {status: 'succeeded'})
RETURN properties(r) AS run
ORDER BY r.finishedAt DESC
LIMIT 1
