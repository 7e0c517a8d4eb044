// After a run: provisional successors the run found become confirmed (the run's own scores list
// them from now on); those it did not find and detected before $expireBefore expire.
// Params: $runId, $expireBefore: int, $now: int.
// Returns: key, from, to, outcome ('confirmed'|'expired'), wasListed.
MATCH (s:Successor)
WHERE s.status = 'provisional'
OPTIONAL MATCH (:Account {id: s.from})-[m:MIGRATED_TO {runId: $runId}]->(:Account {id: s.to})
WITH s, m
WHERE m IS NOT NULL OR (s.detectedAt < $expireBefore AND coalesce(s.decision, '') <> 'confirmed')
WITH s, m, s.listed AS wasListed
SET s.status = CASE WHEN m IS NOT NULL THEN 'confirmed' ELSE 'expired' END,
    s.runId = CASE WHEN m IS NOT NULL THEN $runId ELSE null END,
    s.runScore = CASE WHEN m IS NOT NULL THEN m.score ELSE null END,
    s.listed = false, s.resolvedAt = $now
RETURN s.key AS key, s.from AS from, s.to AS to, s.status AS outcome, wasListed
