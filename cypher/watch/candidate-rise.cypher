// Whether successor candidates seen at ingest rose (young or surging, not a hub), before their
// transfers are read in full: per candidate, its transfers in the window, those since $recentFrom,
// its distinct counterparties and its first transfer in the window — one property (at) per transfer.
// Most accounts a job touches are neither young nor surging; only the ones that rose are read in
// full (candidate-accounts.cypher).
// Params: $ids [string], $from: int, $recentFrom: int.
// Returns: id, firstSeenAt, transfers, recent, counterparties, firstInWindow (null: none).
// The window is tested on an alias of t.at: expanded from the account, never answered by the
// TRANSFER(at) index (docs/decisions.md, "Look-ups from an account: expand, never the at index").
UNWIND $ids AS id
MATCH (s:Account {id: id})
CALL (s) {
  MATCH (s)-[t:TRANSFER]-(c:Account)
  WITH c, t.at AS at
  WHERE at >= $from
  RETURN count(*) AS transfers, sum(CASE WHEN at >= $recentFrom THEN 1 ELSE 0 END) AS recent, count(DISTINCT c) AS counterparties, min(at) AS firstInWindow
}
RETURN id, s.firstSeenAt AS firstSeenAt, transfers, recent, counterparties, firstInWindow
