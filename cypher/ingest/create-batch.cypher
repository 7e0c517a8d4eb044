// Registers an ingest batch (one file import or one POST /v1/transactions).
// Params: $id, $source ('file'|'http'), $name, $createdAt: int, $expectedChunks: int|null, $expectedRows: int|null.
// Returns: id.
CREATE (b:IngestBatch {id: $id, source: $source, name: $name, createdAt: $createdAt,
                       expectedChunks: $expectedChunks, expectedRows: $expectedRows})
RETURN b.id AS id
