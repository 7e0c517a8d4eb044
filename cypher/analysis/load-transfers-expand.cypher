// The window of transfers, one record per sending account with its transfers as parallel lists
// (the driver's cost is per record and per string: internal ids, mapped back with load-accounts).
// Order does not matter: the aggregator sorts by time itself.
// Params: $from: int, $to: int. Returns: from (internal id), tos [internal id], amounts [int],
//         currencies [string], ats [int], channels [string|null].
MATCH (a:Account)
CALL (a) {
  MATCH (a)-[t:TRANSFER]->(b:Account)
  WHERE t.at >= $from AND t.at <= $to
  RETURN collect(id(b)) AS tos, collect(t.amount) AS amounts, collect(t.currency) AS currencies,
         collect(t.at) AS ats, collect(t.channel) AS channels
}
WITH a, tos, amounts, currencies, ats, channels
WHERE size(tos) > 0
RETURN id(a) AS from, tos, amounts, currencies, ats, channels
