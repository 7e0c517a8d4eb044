// The watch set's raw material: for each predecessor, its relations in the window (counterparty,
// first and last transfer either way) and its own outgoing transfers (its sender profile).
// Params: $ids [string], $from: int, $to: int.
// Returns: id, lastAt, relations [{id, first, last}], sent [{at, amount, currency, channel}].
UNWIND $ids AS id
MATCH (a:Account {id: id})
CALL (a) {
  OPTIONAL MATCH (a)-[t:TRANSFER]-(c:Account)
  WHERE t.at >= $from AND t.at <= $to AND c <> a
  WITH c, min(t.at) AS first, max(t.at) AS last
  WHERE c IS NOT NULL
  RETURN collect({id: c.id, first: first, last: last}) AS relations, max(last) AS lastAt
}
CALL (a) {
  OPTIONAL MATCH (a)-[t:TRANSFER]->(:Account)
  WHERE t.at >= $from AND t.at <= $to
  WITH t WHERE t IS NOT NULL
  RETURN collect({at: t.at, amount: t.amount, currency: t.currency, channel: t.channel}) AS sent
}
RETURN id, lastAt, relations, sent
