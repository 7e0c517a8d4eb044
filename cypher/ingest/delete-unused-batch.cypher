// Removes a batch whose import stopped before it enqueued anything (a file with a wrong header, an
// unreadable file): nothing can refer to it, and a kept empty batch would read as in progress for
// ever (and make `import --bulk` refuse the graph as not empty). Refuses when anything refers to it.
// Params: $id. Returns: deleted (count).
MATCH (b:IngestBatch {id: $id})
WHERE NOT EXISTS { MATCH (c:IngestChunk {batchId: $id}) } AND NOT EXISTS { MATCH (f:FailedIngestJob {batchId: $id}) }
DELETE b
RETURN count(*) AS deleted
