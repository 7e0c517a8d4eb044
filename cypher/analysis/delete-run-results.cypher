// Deletes the per-run results of runs that are neither current nor among the newest kept ones,
// in batches (auto-commit, CALL IN TRANSACTIONS).
// Params: $keep [runId]. Returns: nothing.
MATCH (r:AccountResult|ClusterResult|ShadowEntry)
WHERE NOT r.runId IN $keep
CALL (r) { DETACH DELETE r } IN TRANSACTIONS OF 10000 ROWS
