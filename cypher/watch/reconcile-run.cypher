// After a run, in the transaction that serves its version: the provisional successors of the run's
// plan (watch/reconcile-plan: the set its version was built without) are settled — confirmed when
// the run found the link (its own scores list them from now on), else expired. One still provisional
// and not confirmed by an investigator meanwhile; the others are left as they are.
// Params: $runId, $keys [string], $now: int.
// Returns: key, from, to, outcome ('confirmed'|'expired'), wasListed.
UNWIND $keys AS key
MATCH (s:Successor {key: key})
WHERE s.status = 'provisional'
OPTIONAL MATCH (:Account {id: s.from})-[m:MIGRATED_TO {runId: $runId}]->(:Account {id: s.to})
WITH s, m
WHERE m IS NOT NULL OR coalesce(s.decision, '') <> 'confirmed'
WITH s, m, s.listed AS wasListed
SET s.status = CASE WHEN m IS NOT NULL THEN 'confirmed' ELSE 'expired' END,
    s.runId = CASE WHEN m IS NOT NULL THEN $runId ELSE null END,
    s.runScore = CASE WHEN m IS NOT NULL THEN m.score ELSE null END,
    s.listed = false, s.resolvedAt = $now
RETURN s.key AS key, s.from AS from, s.to AS to, s.status AS outcome, wasListed
