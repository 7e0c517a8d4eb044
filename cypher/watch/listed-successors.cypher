// Provisional successors that are an input of the list builder (auto-listed or confirmed by an
// investigator, not yet confirmed by a run).
// Params: none. Returns: from, to, score, depth.
MATCH (s:Successor)
WHERE s.status = 'provisional' AND s.listed = true
RETURN s.from AS from, s.to AS to, s.score AS score, coalesce(s.depth, 1) AS depth
ORDER BY s.to, s.score DESC
