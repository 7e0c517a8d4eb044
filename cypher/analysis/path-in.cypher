// Money reaching a frontier of accounts, each transfer no later than the money left its receiver,
// inside a window: per account its $perAccount strongest counterparties (total amount), per pair
// its $perPair largest transfers.
// Params: $frontier [{id, before: int}], $from: int, $to: int, $perAccount: int, $perPair: int.
// Returns: source, target, transfers [{txId, at, amount (minor), currency}].
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
// The account is found by an index seek (hint): on a store whose statistics are the empty store's, the
// planner chose a scan of the whole Account index per id (test/neo4j/plans.integration.test.ts).
UNWIND $frontier AS f
MATCH (a:Account)-[t:TRANSFER]->(b:Account {id: f.id})
USING INDEX SEEK b:Account(id)
WITH f, a, b, t, t.at AS at
WHERE at <= f.before AND at >= $from AND at <= $to AND a.id <> b.id
WITH a.id AS source, b.id AS target, t
ORDER BY t.amount DESC
WITH source, target, sum(t.amount) AS total,
     collect({txId: t.txId, at: t.at, amount: t.amount, currency: t.currency})[..$perPair] AS transfers
ORDER BY total DESC, source
WITH target, collect({source: source, transfers: transfers})[..$perAccount] AS pairs
UNWIND pairs AS p
RETURN p.source AS source, target, p.transfers AS transfers
