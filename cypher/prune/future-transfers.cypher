// Deletes transfers dated after $after (the clock + ACCTNET_MAX_FUTURE_HOURS): rows stored before
// ingest refused them, which runs leave out and warn about. In batches (auto-commit).
// Params: $after: int. Returns: deleted.
MATCH ()-[t:TRANSFER]->()
WHERE t.at > $after
CALL (t) { DELETE t } IN TRANSACTIONS OF 10000 ROWS
RETURN count(*) AS deleted
