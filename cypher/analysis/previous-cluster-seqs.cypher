// When each cluster id of a run first appeared (run number), so kept ids keep their age.
// Params: $runId. Returns: clusterId, createdRunSeq.
MATCH (c:ClusterResult {runId: $runId})
RETURN c.clusterId AS clusterId, c.createdRunSeq AS createdRunSeq
