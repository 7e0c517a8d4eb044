// One batch of per-account results of a run. Everything the API only displays is packed into one
// JSON property (metrics): a Neo4j property write costs far more than a longer string.
// Params: $runId, $rows [{accountId, clusterId, role, score, reasons, review, metrics (JSON)}]. Returns: nothing.
// review: the account is at or above the threshold on the learned or anomaly score alone (the review list).
UNWIND $rows AS row
CREATE (:AccountResult {runId: $runId, accountId: row.accountId, clusterId: row.clusterId, role: row.role,
                        score: row.score, reasons: row.reasons, review: row.review, metrics: row.metrics})
