// The retention settings last applied (to tell the first application of new settings).
// Params: none. Returns: transfersDays, versions, appliedAt (no row before the first application).
MATCH (s:RetentionState {id: 'retention'})
RETURN s.transfersDays AS transfersDays, s.versions AS versions, s.appliedAt AS appliedAt
