// Transfers between accounts of a set, aggregated per ordered pair and currency, inside a window.
// Params: $ids [string], $from: int, $to: int. Returns: source, target, currency, count, amount (minor), first, last.
UNWIND $ids AS id
MATCH (a:Account {id: id})-[t:TRANSFER]->(b:Account)
WHERE b.id IN $ids AND t.at >= $from AND t.at <= $to
RETURN a.id AS source, b.id AS target, t.currency AS currency, count(t) AS count, sum(t.amount) AS amount, min(t.at) AS first, max(t.at) AS last
