// Deletes transfers older than a time, in batches (auto-commit, CALL IN TRANSACTIONS).
// Params: $before: int. Returns: nothing.
MATCH ()-[t:TRANSFER]->()
WHERE t.at < $before
CALL (t) { DELETE t } IN TRANSACTIONS OF 10000 ROWS
