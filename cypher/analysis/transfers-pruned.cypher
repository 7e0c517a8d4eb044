// What retention has deleted of the transfers, in all (prune/mark-transfers-pruned.cypher): an
// incremental run checks that nothing it holds was deleted since its snapshot.
// Params: none. Returns: deleted (int), before (int|null).
OPTIONAL MATCH (s:RetentionState {id: 'transfers-pruned'})
RETURN coalesce(s.deleted, 0) AS deleted, s.before AS before
