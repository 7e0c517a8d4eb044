// Registers an ingest batch (one file import or one POST /v1/transactions).
// Params: $id, $source ('file'|'http'), $name, $createdAt: int, $expectedChunks: int|null, $expectedRows: int|null,
//         $createdBy: the API key id that posted it, or null (CLI imports).
// Returns: id.
CREATE (b:IngestBatch {id: $id, source: $source, name: $name, createdAt: $createdAt,
                       expectedChunks: $expectedChunks, expectedRows: $expectedRows, createdBy: $createdBy})
RETURN b.id AS id
