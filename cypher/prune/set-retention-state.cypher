// Records the retention settings just applied.
// Params: $transfersDays: int, $versions: int, $appliedAt: int. Returns: nothing.
MERGE (s:RetentionState {id: 'retention'})
SET s.transfersDays = $transfersDays, s.versions = $versions, s.appliedAt = $appliedAt
