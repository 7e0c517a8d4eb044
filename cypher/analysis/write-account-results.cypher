// One batch of per-account results of a run. Everything the API only displays is packed into one
// JSON property (metrics): a Neo4j property write costs far more than a longer string.
// Params: $runId, $rows [{accountId, clusterId, role, score, reasons, metrics (JSON)}]. Returns: nothing.
UNWIND $rows AS row
CREATE (:AccountResult {runId: $runId, accountId: row.accountId, clusterId: row.clusterId, role: row.role,
                        score: row.score, reasons: row.reasons, metrics: row.metrics})
