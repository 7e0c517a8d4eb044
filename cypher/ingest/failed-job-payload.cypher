// The kept rows of one failed job (the ingest job payload as JSON).
// Params: $key. Returns: payload.
MATCH (f:FailedIngestJob {key: $key})
RETURN f.payload AS payload
