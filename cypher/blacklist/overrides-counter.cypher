// The override change counter (0 before any override).
// Params: none. Returns: value.
OPTIONAL MATCH (s:Sequence {name: 'overrides'})
RETURN coalesce(s.value, 0) AS value
