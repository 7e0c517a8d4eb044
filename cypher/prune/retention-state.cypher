// The retention settings last applied or announced (to tell the first application of new settings).
// Params: none. Returns: transfersDays, versions, appliedAt, pending (no row before the first announcement).
MATCH (s:RetentionState {id: 'retention'})
RETURN s.transfersDays AS transfersDays, s.versions AS versions, s.appliedAt AS appliedAt, coalesce(s.pending, false) AS pending
