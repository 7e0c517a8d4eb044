// A shadow-mode run's list against its served one (ACCTNET_LEARNED=shadow): the accounts the learned
// list would add (change 'added': its score and reasons, the learned explanation included) and drop
// (change 'removed': the served entry's). Per run, deleted with the run's other results.
// Params: $runId, $rows [{accountId, clusterId, score, reasons, change}]. Returns: nothing.
UNWIND $rows AS r
CREATE (:ShadowEntry {runId: $runId, accountId: r.accountId, clusterId: r.clusterId, score: r.score,
                      reasons: r.reasons, change: r.change})
