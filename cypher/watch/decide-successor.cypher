// An investigator's decision on a provisional successor: confirmed (listed until a run confirms
// the link or the predecessor leaves the list) or rejected (never raised again, never listed).
// Params: $key, $decision ('confirmed'|'rejected'), $by, $now: int.
// Returns: successor (properties) after the change.
MATCH (s:Successor {key: $key})
SET s.decision = $decision, s.decidedBy = $by, s.decidedAt = $now,
    s.status = CASE WHEN $decision = 'rejected' THEN 'rejected' ELSE s.status END,
    s.listed = CASE WHEN $decision = 'rejected' THEN false ELSE true END,
    s.heldBecause = null
RETURN properties(s) AS successor
