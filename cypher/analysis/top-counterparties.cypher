// An account's largest counterparties inside a window, both directions, per currency.
// Params: $id, $from: int, $to: int, $limit: int. Returns: accountId, currency, sent, received, transfers.
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the Account index (test/neo4j/plans.integration.test.ts).
MATCH (a:Account {id: $id})-[t:TRANSFER]-(c:Account)
USING INDEX SEEK a:Account(id)
WITH a, c, t, t.at AS at
WHERE at >= $from AND at <= $to
WITH c, t.currency AS currency, startNode(t) = a AS outgoing, t
WITH c.id AS accountId, currency,
     sum(CASE WHEN outgoing THEN t.amount ELSE 0 END) AS sent,
     sum(CASE WHEN outgoing THEN 0 ELSE t.amount END) AS received, count(t) AS transfers
RETURN accountId, currency, sent, received, transfers
ORDER BY sent + received DESC, accountId
LIMIT $limit
