// The runs whose per-run results pruning keeps: the newest $succeeded succeeded runs however many
// runs failed or were abandoned since, the served (current) run whatever its age, and every run
// still running (a stalled duplicate keeps its results until it ends).
// Params: $succeeded: int. Returns: runIds [string].
CALL () {
  MATCH (r:Run {status: 'succeeded'})
  RETURN r.id AS id ORDER BY r.seq DESC LIMIT $succeeded
  UNION
  MATCH (s:AnalysisState {id: 'current'}) WHERE s.runId IS NOT NULL
  RETURN s.runId AS id
  UNION
  MATCH (r:Run {status: 'running'})
  RETURN r.id AS id
}
RETURN collect(id) AS runIds
