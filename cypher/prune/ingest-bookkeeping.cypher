// Deletes ingest batches created before a time, with their job markers, rejected rows and kept
// failed jobs.
// Params: $before: int. Returns: deleted (batches).
MATCH (b:IngestBatch)
WHERE b.createdAt < $before
OPTIONAL MATCH (c:IngestChunk {batchId: b.id})
OPTIONAL MATCH (r:RejectedRow {batchId: b.id})
OPTIONAL MATCH (f:FailedIngestJob {batchId: b.id})
WITH b, collect(DISTINCT c) + collect(DISTINCT r) + collect(DISTINCT f) AS parts
CALL (b, parts) { FOREACH (p IN parts | DELETE p) DELETE b } IN TRANSACTIONS OF 100 ROWS
RETURN count(*) AS deleted
