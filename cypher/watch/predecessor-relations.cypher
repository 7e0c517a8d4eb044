// The watch set's raw material: for each predecessor, its relations in the window (counterparty,
// first and last transfer either way) and its own outgoing transfers (its sender profile).
// Params: $ids [string], $from: int, $to: int.
// Returns: id, lastAt, transfers (in the window, either way: the fall's ≥ minFallTransfers gate),
//          relations [{id, first, last}], sent [{at, amount, currency, channel}].
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the Account index (test/neo4j/plans.integration.test.ts).
UNWIND $ids AS id
MATCH (a:Account {id: id})
USING INDEX SEEK a:Account(id)
CALL (a) {
  MATCH (a)-[t:TRANSFER]-(c:Account)
  WITH a, c, t.at AS at
  WHERE at >= $from AND at <= $to AND c <> a
  WITH c, min(at) AS first, max(at) AS last, count(*) AS n
  RETURN collect({id: c.id, first: first, last: last}) AS relations, max(last) AS lastAt, sum(n) AS transfers
}
CALL (a) {
  MATCH (a)-[t:TRANSFER]->(:Account)
  WITH t, t.at AS at
  WHERE at >= $from AND at <= $to
  RETURN collect({at: t.at, amount: t.amount, currency: t.currency, channel: t.channel}) AS sent
}
RETURN id, lastAt, transfers, relations, sent
