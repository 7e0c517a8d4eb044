// Who created an ingest batch: the API key id, or null (CLI import, or created before it was recorded).
// Params: $id. Returns: createdBy — no row if there is no such batch.
MATCH (b:IngestBatch {id: $id})
RETURN b.createdBy AS createdBy
