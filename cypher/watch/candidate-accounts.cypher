// Successor candidates seen at ingest: first seen, and every transfer of theirs in the window, read in
// one expansion per candidate (the caller derives relations per counterparty and direction, the
// activity before and in the recent weeks, and the outgoing transfers for the profile).
// Params: $ids [string], $from: int, $to: int.
// Returns: id, firstSeenAt, transfers [{c: counterparty id, out: bool, at, amount, currency, channel}].
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the Account index (test/neo4j/plans.integration.test.ts).
UNWIND $ids AS id
MATCH (s:Account {id: id})
USING INDEX SEEK s:Account(id)
CALL (s) {
  MATCH (s)-[t:TRANSFER]-(c:Account)
  WITH s, t, c, t.at AS at
  WHERE at >= $from AND at <= $to
  RETURN collect({c: c.id, out: startNode(t) = s, at: t.at, amount: t.amount, currency: t.currency, channel: t.channel}) AS transfers
}
RETURN id, s.firstSeenAt AS firstSeenAt, transfers
