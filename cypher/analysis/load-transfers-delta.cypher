// What an incremental run reads (src/runs/incremental.ts): the transfers of the given batches within
// the time range their new ingest chunks cover (IngestChunk.minAt/maxAt), through the TRANSFER(at)
// range index — selected by ingest (batch), not by data time, so a back-dated import is found.
// Lists as in load-transfers-indexed.cypher; tags: the batch id when r.open (the batch still expects
// chunks), else ''.
// Params: $ranges [{batchId, lo: int, hi: int, open: bool}] (one per batch). Returns: from, tos,
//         amounts, currencies, ats, channels, tags.
UNWIND $ranges AS r
MATCH (a)-[t:TRANSFER]->(b)
USING INDEX SEEK t:TRANSFER(at)
WHERE t.at >= r.lo AND t.at <= r.hi AND t.batchId = r.batchId
RETURN id(a) AS from, collect(id(b)) AS tos, collect(t.amount) AS amounts, collect(t.currency) AS currencies,
       collect(t.at) AS ats, collect(coalesce(t.channel, '')) AS channels,
       collect(CASE WHEN r.open THEN r.batchId ELSE '' END) AS tags
