// The stored outcome of an ingest job, if it was already written (a retry after commit).
// Params: $key (batchId#seq). Returns: received, written, duplicates, rejected.
MATCH (c:IngestChunk {key: $key})
USING INDEX SEEK c:IngestChunk(key)
RETURN c.received AS received, c.written AS written, c.duplicates AS duplicates, c.rejected AS rejected
