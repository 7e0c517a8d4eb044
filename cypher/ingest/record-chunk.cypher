// Marks an ingest job as written, with its counts and rejected rows, in the job's own transaction.
// Params: $key, $batchId, $seq, $received, $written, $duplicates, $rejected: int,
//         $rejects [{line: int, reason, raw, txId}]. Returns: nothing.
CREATE (c:IngestChunk {key: $key, batchId: $batchId, seq: $seq, received: $received, written: $written,
                       duplicates: $duplicates, rejected: $rejected, at: timestamp()})
WITH c
UNWIND $rejects AS r
CREATE (:RejectedRow {batchId: $batchId, seq: $seq, line: r.line, reason: r.reason, raw: r.raw, txId: r.txId})
