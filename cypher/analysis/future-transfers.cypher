// Transfers dated past $until (the clock + ACCTNET_MAX_FUTURE_HOURS), stored before ingest refused
// them: a run leaves them out and says how many.
// Params: $until: int. Returns: n, first (the earliest of them).
MATCH ()-[t:TRANSFER]->()
USING INDEX t:TRANSFER(at)
WHERE t.at > $until
RETURN count(t) AS n, min(t.at) AS first
