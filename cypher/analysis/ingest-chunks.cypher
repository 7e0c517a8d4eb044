// Every ingest chunk (the marker each ingest job commits with its transfers) with the time range of
// the transfers it wrote, and how many chunks its batch expects: what an incremental run compares
// with its snapshot (src/runs/incremental.ts). Chunks written before minAt/maxAt existed have none.
// Params: none. Returns: key, batchId, written, minAt, maxAt, expectedChunks (null: not known yet).
MATCH (c:IngestChunk)
OPTIONAL MATCH (b:IngestBatch {id: c.batchId})
RETURN c.key AS key, c.batchId AS batchId, c.written AS written, c.minAt AS minAt, c.maxAt AS maxAt,
       b.expectedChunks AS expectedChunks
