// Degrees in the window, for accounts the served run did not see: relations (distinct receivers +
// distinct senders: the scorer's weight, as a run counts it) and distinct counterparties (a relation
// both ways counts once: the hub test, as a run counts it).
// Params: $ids [string], $from: int, $to: int. Returns: id, degree, counterparties.
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the Account index (test/neo4j/plans.integration.test.ts).
UNWIND $ids AS id
MATCH (c:Account {id: id})
USING INDEX SEEK c:Account(id)
CALL (c) {
  MATCH (c)-[t:TRANSFER]-(x:Account)
  WITH x, t.at AS at, startNode(t) = c AS out
  WHERE at >= $from AND at <= $to
  RETURN count(DISTINCT CASE WHEN out THEN x END) AS outs, count(DISTINCT CASE WHEN out THEN null ELSE x END) AS ins,
         count(DISTINCT x) AS counterparties
}
RETURN id, outs + ins AS degree, counterparties
