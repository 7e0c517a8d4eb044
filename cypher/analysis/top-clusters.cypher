// Clusters of a run, riskiest first; ties by id, as GET /v1/clusters orders them (clusters-by-risk),
// so the CLI and the console list equal risks in the same order.
// Params: $runId, $limit: int. Returns: cluster (map).
MATCH (c:ClusterResult {runId: $runId})
RETURN properties(c) AS cluster
ORDER BY c.score DESC, c.clusterId
LIMIT $limit
