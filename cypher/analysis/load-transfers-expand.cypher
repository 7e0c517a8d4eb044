// The window of transfers, one record per sending account with its transfers as parallel lists
// (the driver's cost is per record and per string: internal ids, mapped back with load-accounts).
// Order does not matter: the run sorts the rows itself (src/runs/transfer-table.ts). collect() drops
// nulls, so a transfer without a channel is returned as '' (ingest never stores an empty channel)
// and the lists stay aligned. tags: the batch id of a transfer whose batch is in $open (still
// expecting chunks: an incremental run re-reads them), else ''; all '' without reading the batch
// when $open is empty.
// Params: $from: int, $to: int, $open [string]. Returns: from (internal id), tos [internal id],
//         amounts [int], currencies [string], ats [int], channels [string], tags [string].
MATCH (a:Account)
CALL (a) {
  MATCH (a)-[t:TRANSFER]->(b:Account)
  WHERE t.at >= $from AND t.at <= $to
  RETURN collect(id(b)) AS tos, collect(t.amount) AS amounts, collect(t.currency) AS currencies,
         collect(t.at) AS ats, collect(coalesce(t.channel, '')) AS channels,
         collect(CASE WHEN size($open) = 0 THEN '' WHEN t.batchId IN $open THEN t.batchId ELSE '' END) AS tags
}
WITH a, tos, amounts, currencies, ats, channels, tags
WHERE size(tos) > 0
RETURN id(a) AS from, tos, amounts, currencies, ats, channels, tags
