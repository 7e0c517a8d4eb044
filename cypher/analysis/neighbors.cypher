// Neighbours of a frontier of accounts, strongest relations first, at most $limit of them.
// Params: $ids [string], $exclude [string], $limit: int. Returns: from, neighbor, transfers.
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the Account index (test/neo4j/plans.integration.test.ts).
UNWIND $ids AS id
MATCH (a:Account {id: id})-[t:TRANSFER]-(b:Account)
USING INDEX SEEK a:Account(id)
WHERE NOT b.id IN $exclude
WITH a.id AS from, b.id AS neighbor, count(t) AS transfers
RETURN from, neighbor, transfers
ORDER BY transfers DESC, neighbor
LIMIT $limit
