// One cluster of a run.
// Params: $runId, $clusterId. Returns: cluster (map).
MATCH (c:ClusterResult {runId: $runId, clusterId: $clusterId})
RETURN properties(c) AS cluster
