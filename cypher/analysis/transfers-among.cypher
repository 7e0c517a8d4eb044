// The individual transfers between accounts of a set inside a window, oldest first, at most $limit.
// Params: $ids [string], $from: int, $to: int, $limit: int.
// Returns: txId, source, target, at, amount (minor), currency, channel.
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the whole Account index per id (test/neo4j/plans.integration.test.ts).
UNWIND $ids AS id
MATCH (a:Account {id: id})-[t:TRANSFER]->(b:Account)
USING INDEX SEEK a:Account(id)
WITH a, b, t, t.at AS at
WHERE b.id IN $ids AND at >= $from AND at <= $to
RETURN t.txId AS txId, a.id AS source, b.id AS target, t.at AS at, t.amount AS amount, t.currency AS currency, t.channel AS channel
ORDER BY at, txId
LIMIT $limit
