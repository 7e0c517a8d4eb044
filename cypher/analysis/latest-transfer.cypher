// Data time: the latest transfer not dated past $until (the clock + ACCTNET_MAX_FUTURE_HOURS: rows
// stored before that rule, dated in the future, do not move a run's window), the default asOf of a run.
// Params: $until: int. Returns: at (null when there are no such transfers).
MATCH ()-[t:TRANSFER]->()
USING INDEX t:TRANSFER(at)
WHERE t.at IS NOT NULL AND t.at <= $until
RETURN max(t.at) AS at
