// Deletes transfers older than a time, in batches (auto-commit, CALL IN TRANSACTIONS), except those
// of an account under legal hold. The accounts themselves stay (their firstSeenAt is history).
// Params: $before: int, $held [accountId]. Returns: deleted.
MATCH (a:Account)-[t:TRANSFER]->(b:Account)
WHERE t.at < $before AND NOT a.id IN $held AND NOT b.id IN $held
CALL (t) { DELETE t } IN TRANSACTIONS OF 10000 ROWS
RETURN count(*) AS deleted
