// Makes a run's results the ones the API serves.
// Params: $runId, $at: int. Returns: nothing.
MERGE (s:AnalysisState {id: 'current'})
SET s.runId = $runId, s.switchedAt = $at
