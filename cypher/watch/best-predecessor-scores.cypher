// For each predecessor account, its highest-scored provisional or confirmed watch link (one
// successor per predecessor, as a run assigns them: a weaker link to another successor is not
// recorded beside it).
// Params: $froms [string]. Returns: from, to, score.
UNWIND $froms AS from
MATCH (s:Successor {from: from})
WHERE s.status IN ['provisional', 'confirmed']
WITH from, s ORDER BY s.score DESC, s.to
WITH from, collect(s)[0] AS top
RETURN from, top.to AS to, top.score AS score
