// Stored degree (in + out relations), hub flag (AccountResult.metrics) and cluster of accounts in a run.
// Params: $runId, $ids [string]. Returns: id, metrics (JSON string), clusterId (null: in no cluster).
UNWIND $ids AS id
MATCH (r:AccountResult {runId: $runId, accountId: id})
RETURN id, r.metrics AS metrics, r.clusterId AS clusterId
