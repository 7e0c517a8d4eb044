// Marks an ingest job as written, with its counts, the time range of the transfers it wrote (what an
// incremental run re-reads: src/runs/incremental.ts) and its rejected rows, in the job's own
// transaction.
// Params: $key, $batchId, $seq, $received, $written, $duplicates, $rejected: int,
//         $minAt, $maxAt: int|null (null when it wrote nothing), $rejects [{line: int, reason, raw, txId}].
// Returns: nothing.
CREATE (c:IngestChunk {key: $key, batchId: $batchId, seq: $seq, received: $received, written: $written,
                       duplicates: $duplicates, rejected: $rejected, minAt: $minAt, maxAt: $maxAt, at: timestamp()})
WITH c
UNWIND $rejects AS r
CREATE (:RejectedRow {batchId: $batchId, seq: $seq, line: r.line, reason: r.reason, raw: r.raw, txId: r.txId})
