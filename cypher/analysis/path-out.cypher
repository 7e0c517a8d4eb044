// Money leaving a frontier of accounts, each transfer no earlier than the money reached its sender,
// inside a window: per account its $perAccount strongest counterparties (total amount), per pair
// its $perPair largest transfers.
// Params: $frontier [{id, after: int}], $from: int, $to: int, $perAccount: int, $perPair: int.
// Returns: source, target, transfers [{txId, at, amount (minor), currency}].
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the whole Account index per id (test/neo4j/plans.integration.test.ts).
UNWIND $frontier AS f
MATCH (a:Account {id: f.id})-[t:TRANSFER]->(b:Account)
USING INDEX SEEK a:Account(id)
WITH f, a, b, t, t.at AS at
WHERE at >= f.after AND at >= $from AND at <= $to AND b.id <> a.id
WITH a.id AS source, b.id AS target, t
ORDER BY t.amount DESC
WITH source, target, sum(t.amount) AS total,
     collect({txId: t.txId, at: t.at, amount: t.amount, currency: t.currency})[..$perPair] AS transfers
ORDER BY total DESC, target
WITH source, collect({target: target, transfers: transfers})[..$perAccount] AS pairs
UNWIND pairs AS p
RETURN source, p.target AS target, p.transfers AS transfers
