// One batch of per-account results of a run. Everything the API only displays is packed into one
// JSON property (metrics): a Neo4j property write costs far more than a longer string.
// The batch comes as parallel lists, one per property (row k is element k of each): the driver packs
// and Neo4j unpacks a list of plain values instead of a map per row with its keys repeated.
// Params: $runId, $accountId [string], $clusterId [string|null], $role [string], $score [float],
//   $reasons [[string]], $review [bool], $listed [bool|null], $metrics [string (JSON)] — all of one
//   length. Returns: nothing.
// review: the account is at or above the threshold on the learned or anomaly score alone (the review list).
// listed: on the run's list (true), or at or above the threshold and left off it (false: too little
// history for the model alone, ACCTNET_REVIEW_MIN_TRANSFERS); null (not stored) for every other account.
UNWIND range(0, size($accountId) - 1) AS k
CREATE (:AccountResult {runId: $runId, accountId: $accountId[k], clusterId: $clusterId[k], role: $role[k],
                        score: $score[k], reasons: $reasons[k], review: $review[k], listed: $listed[k],
                        metrics: $metrics[k]})
