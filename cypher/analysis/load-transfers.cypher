// The window of transfers, one record per sending account with its transfers as parallel lists:
// far fewer records than one per transfer, which is what the driver spends its time on. Order does
// not matter (the aggregator sorts by time itself).
// Params: $from: int, $to: int. Returns: from, tos [string], amounts [int], currencies [string],
//         ats [int], channels [string|null].
MATCH (a:Account)
CALL (a) {
  MATCH (a)-[t:TRANSFER]->(b:Account)
  WHERE t.at >= $from AND t.at <= $to
  RETURN collect(b.id) AS tos, collect(t.amount) AS amounts, collect(t.currency) AS currencies,
         collect(t.at) AS ats, collect(t.channel) AS channels
}
WITH a, tos, amounts, currencies, ats, channels
WHERE size(tos) > 0
RETURN a.id AS from, tos, amounts, currencies, ats, channels
