// Which provisional successors run $runId settles (watch/reconcile-run, given these keys): those
// the run found (to be confirmed) and those it did not find detected before $expireBefore (to
// expire). The run's version is built without them; the change itself is made in the transaction
// that serves that version (none when it is held, superseded or fails).
// Params: $runId, $expireBefore: int. Returns: key.
MATCH (s:Successor)
WHERE s.status = 'provisional'
OPTIONAL MATCH (:Account {id: s.from})-[m:MIGRATED_TO {runId: $runId}]->(:Account {id: s.to})
WITH s, m
WHERE m IS NOT NULL OR (s.detectedAt < $expireBefore AND coalesce(s.decision, '') <> 'confirmed')
RETURN s.key AS key
