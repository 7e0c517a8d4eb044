// Stored degree (in + out relations) and hub flag of accounts in a run (AccountResult.metrics).
// Params: $runId, $ids [string]. Returns: id, metrics (JSON string).
UNWIND $ids AS id
MATCH (r:AccountResult {runId: $runId, accountId: id})
RETURN id, r.metrics AS metrics
