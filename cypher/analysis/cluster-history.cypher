// A cluster across the kept runs: how it changed.
// Params: $clusterId. Returns: runId, seq, finishedAt, size, type, score.
MATCH (c:ClusterResult {clusterId: $clusterId})
MATCH (r:Run {id: c.runId})
RETURN c.runId AS runId, r.seq AS seq, r.finishedAt AS finishedAt, c.size AS size, c.type AS type, c.score AS score
ORDER BY r.seq
