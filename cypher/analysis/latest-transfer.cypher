// Data time: the latest transfer, the default asOf of a run.
// Params: none. Returns: at (null when there are no transfers).
MATCH ()-[t:TRANSFER]->()
USING INDEX t:TRANSFER(at)
WHERE t.at IS NOT NULL
RETURN max(t.at) AS at
