// Cluster membership in the currently served run, for stable cluster ids.
// Params: $runId. Returns: accountId, clusterId.
MATCH (r:AccountResult {runId: $runId})
WHERE r.clusterId IS NOT NULL
RETURN r.accountId AS accountId, r.clusterId AS clusterId
