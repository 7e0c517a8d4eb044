// Ingest bookkeeping kept outside BullMQ so it outlives job retention.
// Params: none. Returns: nothing.
CREATE CONSTRAINT ingest_batch_id IF NOT EXISTS FOR (b:IngestBatch) REQUIRE b.id IS UNIQUE;
// key = batchId + '#' + seq: the marker that makes a replayed job a no-op.
CREATE CONSTRAINT ingest_chunk_key IF NOT EXISTS FOR (c:IngestChunk) REQUIRE c.key IS UNIQUE;
CREATE INDEX ingest_chunk_batch IF NOT EXISTS FOR (c:IngestChunk) ON (c.batchId);
CREATE INDEX rejected_row_batch IF NOT EXISTS FOR (r:RejectedRow) ON (r.batchId, r.line);
