// Records how many jobs and rows a batch has, once its producer has read everything.
// Params: $id, $expectedChunks: int, $expectedRows: int. Returns: id.
MATCH (b:IngestBatch {id: $id})
SET b.expectedChunks = $expectedChunks, b.expectedRows = $expectedRows, b.readAt = timestamp()
RETURN b.id AS id
