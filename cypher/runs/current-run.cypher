// The run whose results are served, if any.
// Params: none. Returns: runId.
MATCH (s:AnalysisState {id: 'current'})
RETURN s.runId AS runId
