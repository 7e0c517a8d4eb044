// An account's largest counterparties inside a window, both directions, per currency.
// Params: $id, $from: int, $to: int, $limit: int. Returns: accountId, currency, sent, received, transfers.
MATCH (a:Account {id: $id})-[t:TRANSFER]-(c:Account)
WHERE t.at >= $from AND t.at <= $to
WITH c, t.currency AS currency, startNode(t) = a AS outgoing, t
WITH c.id AS accountId, currency,
     sum(CASE WHEN outgoing THEN t.amount ELSE 0 END) AS sent,
     sum(CASE WHEN outgoing THEN 0 ELSE t.amount END) AS received, count(t) AS transfers
RETURN accountId, currency, sent, received, transfers
ORDER BY sent + received DESC, accountId
LIMIT $limit
