// One slice of the window's transfers, found through the TRANSFER(at) range index (the cost follows
// the window, not every transfer ever stored), one record per sending account with its transfers as
// parallel lists (the driver's cost is per record and per string: internal ids, mapped back with
// load-accounts). TRANSFER relationships only join Account nodes (ingest/create-transfers), so no
// label is checked per row. Order does not matter: the run sorts the rows itself. Channels and tags
// as in load-transfers-expand.cypher ('' for none: collect() drops nulls).
// Params: $from: int, $to: int (inclusive), $open [string]. Returns: from (internal id), tos
//         [internal id], amounts [int], currencies [string], ats [int], channels [string], tags [string].
MATCH (a)-[t:TRANSFER]->(b)
USING INDEX SEEK t:TRANSFER(at)
WHERE t.at >= $from AND t.at <= $to
RETURN id(a) AS from, collect(id(b)) AS tos, collect(t.amount) AS amounts, collect(t.currency) AS currencies,
       collect(t.at) AS ats, collect(coalesce(t.channel, '')) AS channels,
       collect(CASE WHEN size($open) = 0 THEN '' WHEN t.batchId IN $open THEN t.batchId ELSE '' END) AS tags
