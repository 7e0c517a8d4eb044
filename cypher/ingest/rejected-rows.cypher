// Rejected rows of a batch, in file order, paged.
// Params: $batchId, $afterLine: int, $limit: int. Returns: line, reason, raw, txId.
MATCH (r:RejectedRow {batchId: $batchId})
WHERE r.line > $afterLine
RETURN r.line AS line, r.reason AS reason, r.raw AS raw, r.txId AS txId
ORDER BY r.line
LIMIT $limit
