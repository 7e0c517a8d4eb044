// Deletes run records finished before a time, except the served run.
// Params: $before: int, $keep [runId]. Returns: deleted.
MATCH (r:Run)
WHERE r.finishedAt IS NOT NULL AND r.finishedAt < $before AND NOT r.id IN $keep
CALL (r) { DELETE r } IN TRANSACTIONS OF 1000 ROWS
RETURN count(*) AS deleted
