// Ingest totals over every written job (for the metrics endpoint).
// Params: none. Returns: written, duplicates, rejected.
OPTIONAL MATCH (c:IngestChunk)
RETURN coalesce(sum(c.written), 0) AS written, coalesce(sum(c.duplicates), 0) AS duplicates, coalesce(sum(c.rejected), 0) AS rejected
