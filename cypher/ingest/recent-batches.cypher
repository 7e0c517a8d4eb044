// The latest ingest batches, newest first, with their progress (as batch-status, without doneSeqs).
// Params: $limit: int. Returns: id, source, name, createdAt, expectedChunks, expectedRows, chunksDone,
//         received, written, duplicates, rejected, abortReason.
MATCH (b:IngestBatch)
WITH b
ORDER BY b.createdAt DESC, b.id DESC
LIMIT $limit
OPTIONAL MATCH (c:IngestChunk {batchId: b.id})
WITH b, count(c) AS chunksDone, coalesce(sum(c.received), 0) AS received, coalesce(sum(c.written), 0) AS written,
     coalesce(sum(c.duplicates), 0) AS duplicates, coalesce(sum(c.rejected), 0) AS rejected
RETURN b.id AS id, b.source AS source, b.name AS name, b.createdAt AS createdAt,
       b.expectedChunks AS expectedChunks, b.expectedRows AS expectedRows, b.abortReason AS abortReason,
       chunksDone, received, written, duplicates, rejected
ORDER BY createdAt DESC, id DESC
