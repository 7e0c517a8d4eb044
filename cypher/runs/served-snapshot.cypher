// What the API serves right now, in one round trip: the current analysis run and the blacklist state.
// Params: none. Returns: run (map or null), servedVersion, pinnedVersion, servedAt, labelsGeneration, labelsChangedAt.
OPTIONAL MATCH (a:AnalysisState {id: 'current'})
OPTIONAL MATCH (r:Run {id: a.runId})
OPTIONAL MATCH (s:BlacklistState {id: 'current'})
OPTIONAL MATCH (l:LabelState {id: 'current'})
RETURN properties(r) AS run, s.servedVersion AS servedVersion, s.pinnedVersion AS pinnedVersion, s.servedAt AS servedAt,
       l.generation AS labelsGeneration, l.changedAt AS labelsChangedAt
