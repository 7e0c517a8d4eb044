// Records a deletion of transfers by retention, for incremental runs (src/runs/incremental.ts):
// written before the deletion with $deleted = 0 (the latest `before`) and after it with the count.
// Params: $before: int, $deleted: int. Returns: nothing.
MERGE (s:RetentionState {id: 'transfers-pruned'})
SET s.before = CASE WHEN s.before IS NULL OR $before > s.before THEN $before ELSE s.before END,
    s.deleted = coalesce(s.deleted, 0) + $deleted
