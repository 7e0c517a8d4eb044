// Successors per status, for /metrics.
// Params: none. Returns: status, listed, n.
MATCH (s:Successor)
RETURN s.status AS status, s.listed AS listed, count(*) AS n
