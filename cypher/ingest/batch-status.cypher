// Progress of an ingest batch, summed over its written jobs.
// Params: $id. Returns: id, source, name, createdAt, expectedChunks, expectedRows, chunksDone,
//         received, written, duplicates, rejected, doneSeqs, abortReason (null unless the import stopped).
MATCH (b:IngestBatch {id: $id})
OPTIONAL MATCH (c:IngestChunk {batchId: $id})
RETURN b.id AS id, b.source AS source, b.name AS name, b.createdAt AS createdAt,
       b.expectedChunks AS expectedChunks, b.expectedRows AS expectedRows, b.abortReason AS abortReason,
       count(c) AS chunksDone, coalesce(sum(c.received), 0) AS received, coalesce(sum(c.written), 0) AS written,
       coalesce(sum(c.duplicates), 0) AS duplicates, coalesce(sum(c.rejected), 0) AS rejected,
       collect(c.seq) AS doneSeqs
