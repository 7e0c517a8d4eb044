// A stored diff between two versions (computed once per pair: versions never change).
// Params: $key ("<from>-<to>", from 0 for the empty list). Returns: diff (map) — no row if not stored yet.
MATCH (d:BlacklistDiff {key: $key})
RETURN properties(d) AS diff
