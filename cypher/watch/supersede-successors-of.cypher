// A stronger link from the same predecessor was recorded ($keep): its weaker provisional links to
// other successors that no investigator decided on are superseded — off the list, never raised
// again (record-successor keeps a non-provisional state); their successors are scored again.
// Params: $from, $keep (the stronger link's key), $score: float (its score), $now: int.
// Returns: key, to, score, wasListed.
MATCH (s:Successor {from: $from})
WHERE s.key <> $keep AND s.status = 'provisional' AND s.decision IS NULL AND s.score < $score
WITH s, s.listed AS wasListed
SET s.status = 'superseded', s.supersededBy = $keep, s.listed = false, s.heldBecause = null, s.resolvedAt = $now
RETURN s.key AS key, s.to AS to, s.score AS score, wasListed
