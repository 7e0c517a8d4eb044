// The last transfer, either way, between each predecessor and a counterparty (is the relation over?).
// Params: $pairs [{a, c}]. Returns: a, c, last (null: none).
UNWIND $pairs AS pair
MATCH (a:Account {id: pair.a})
MATCH (c:Account {id: pair.c})
OPTIONAL MATCH (a)-[t:TRANSFER]-(c)
RETURN pair.a AS a, pair.c AS c, max(t.at) AS last
