// Counts label changes: readers that cache labels (the API) key them by this generation.
// Params: $at: int. Returns: generation.
MERGE (s:LabelState {id: 'current'})
SET s.generation = coalesce(s.generation, 0) + 1, s.changedAt = $at
RETURN s.generation AS generation
