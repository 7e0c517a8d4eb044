// Clusters of a run, riskiest first.
// Params: $runId, $limit: int. Returns: cluster (map).
MATCH (c:ClusterResult {runId: $runId})
RETURN properties(c) AS cluster
ORDER BY c.score DESC, c.size DESC, c.clusterId
LIMIT $limit
