// Transfers between accounts of a set, aggregated per ordered pair and currency, inside a window.
// Params: $ids [string], $from: int, $to: int. Returns: source, target, currency, count, amount (minor), first, last.
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the whole Account index per id (test/neo4j/plans.integration.test.ts).
UNWIND $ids AS id
MATCH (a:Account {id: id})-[t:TRANSFER]->(b:Account)
USING INDEX SEEK a:Account(id)
WITH a, b, t, t.at AS at
WHERE b.id IN $ids AND at >= $from AND at <= $to
RETURN a.id AS source, b.id AS target, t.currency AS currency, count(t) AS count, sum(t.amount) AS amount, min(t.at) AS first, max(t.at) AS last
