// The individual transfers between accounts of a set inside a window, oldest first, at most $limit.
// Params: $ids [string], $from: int, $to: int, $limit: int.
// Returns: txId, source, target, at, amount (minor), currency, channel.
UNWIND $ids AS id
MATCH (a:Account {id: id})-[t:TRANSFER]->(b:Account)
WHERE b.id IN $ids AND t.at >= $from AND t.at <= $to
RETURN t.txId AS txId, a.id AS source, b.id AS target, t.at AS at, t.amount AS amount, t.currency AS currency, t.channel AS channel
ORDER BY at, txId
LIMIT $limit
