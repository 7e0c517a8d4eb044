// Deletes ingest batches created before a time, with their job markers and rejected rows.
// Params: $before: int. Returns: nothing.
MATCH (b:IngestBatch)
WHERE b.createdAt < $before
OPTIONAL MATCH (c:IngestChunk {batchId: b.id})
OPTIONAL MATCH (r:RejectedRow {batchId: b.id})
WITH b, collect(DISTINCT c) + collect(DISTINCT r) AS parts
CALL (b, parts) { FOREACH (p IN parts | DELETE p) DELETE b } IN TRANSACTIONS OF 100 ROWS
