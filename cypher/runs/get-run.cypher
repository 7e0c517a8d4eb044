// One run.
// Params: $id. Returns: run (map of all properties).
MATCH (r:Run {id: $id})
RETURN properties(r) AS run
