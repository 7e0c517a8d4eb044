// Neighbours of a frontier of accounts, strongest relations first, at most $limit of them.
// Params: $ids [string], $exclude [string], $limit: int. Returns: from, neighbor, transfers.
UNWIND $ids AS id
MATCH (a:Account {id: id})-[t:TRANSFER]-(b:Account)
WHERE NOT b.id IN $exclude
WITH a.id AS from, b.id AS neighbor, count(t) AS transfers
RETURN from, neighbor, transfers
ORDER BY transfers DESC, neighbor
LIMIT $limit
