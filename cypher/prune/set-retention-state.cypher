// Records the retention settings just applied, or announced by a run that deleted nothing (pending).
// Params: $transfersDays: int, $versions: int, $appliedAt: int, $pending: boolean. Returns: nothing.
MERGE (s:RetentionState {id: 'retention'})
SET s.transfersDays = $transfersDays, s.versions = $versions, s.appliedAt = $appliedAt, s.pending = $pending
