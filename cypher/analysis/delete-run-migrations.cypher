// Deletes MIGRATED_TO links of runs that are not kept.
// Params: $keep [runId]. Returns: nothing.
MATCH ()-[m:MIGRATED_TO]->()
WHERE NOT m.runId IN $keep
CALL (m) { DELETE m } IN TRANSACTIONS OF 10000 ROWS
