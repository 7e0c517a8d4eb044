// A stronger link to the same successor was recorded ($keep): weaker provisional links to $to that
// no investigator decided on are superseded — off the list, never raised again (record-successor
// keeps a non-provisional state).
// Params: $to, $keep (the stronger link's key), $score: float (its score), $now: int.
// Returns: key, from, score, wasListed.
MATCH (s:Successor {to: $to})
WHERE s.key <> $keep AND s.status = 'provisional' AND s.decision IS NULL AND s.score < $score
WITH s, s.listed AS wasListed
SET s.status = 'superseded', s.supersededBy = $keep, s.listed = false, s.heldBecause = null, s.resolvedAt = $now
RETURN s.key AS key, s.from AS from, s.score AS score, wasListed
