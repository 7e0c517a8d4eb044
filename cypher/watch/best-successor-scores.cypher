// For each successor account, its highest-scored provisional or confirmed watch link (one
// predecessor per successor: a weaker link from another predecessor is not recorded beside it).
// Params: $tos [string]. Returns: to, from, score.
UNWIND $tos AS to
MATCH (s:Successor {to: to})
WHERE s.status IN ['provisional', 'confirmed']
WITH to, s ORDER BY s.score DESC, s.from
WITH to, collect(s)[0] AS top
RETURN to, top.from AS from, top.score AS score
