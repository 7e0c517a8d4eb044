// Per-account results of a run for a list of accounts.
// Params: $runId, $ids [string]. Returns: result (map).
UNWIND $ids AS id
MATCH (r:AccountResult {runId: $runId, accountId: id})
RETURN properties(r) AS result
