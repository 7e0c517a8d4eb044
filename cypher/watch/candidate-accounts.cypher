// Successor candidates seen at ingest: first seen, and every transfer of theirs in the window, read in
// one expansion per candidate (the caller derives relations per counterparty and direction, the
// activity before and in the recent weeks, and the outgoing transfers for the profile).
// Params: $ids [string], $from: int, $to: int.
// Returns: id, firstSeenAt, transfers [{c: counterparty id, out: bool, at, amount, currency, channel}].
UNWIND $ids AS id
MATCH (s:Account {id: id})
CALL (s) {
  OPTIONAL MATCH (s)-[t:TRANSFER]-(c:Account)
  WHERE t.at >= $from AND t.at <= $to
  WITH t, c WHERE t IS NOT NULL
  RETURN collect({c: c.id, out: startNode(t) = s, at: t.at, amount: t.amount, currency: t.currency, channel: t.channel}) AS transfers
}
RETURN id, s.firstSeenAt AS firstSeenAt, transfers
