// Fencing: how many runs started after this one. A run publishes only while this is 0, so a run
// that was declared stalled and restarted elsewhere can never overwrite the newer one.
// Params: $seq: int. Returns: later (count).
MATCH (r:Run) WHERE r.seq > $seq
RETURN count(r) AS later
