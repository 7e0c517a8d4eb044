// What a prune before a time would delete (the dry run), and the old transfers a legal hold keeps.
// Params: $before: int, $held [accountId], $keep [runId].
// Returns: transfers, transfersHeld, batches, runs, deliveries.
CALL () {
  MATCH (a:Account)-[t:TRANSFER]->(b:Account)
  WHERE t.at < $before
  WITH a.id IN $held OR b.id IN $held AS held
  RETURN count(CASE WHEN held THEN null ELSE 1 END) AS transfers, count(CASE WHEN held THEN 1 END) AS transfersHeld
}
CALL () {
  MATCH (b:IngestBatch) WHERE b.createdAt < $before RETURN count(b) AS batches
}
CALL () {
  MATCH (r:Run) WHERE r.finishedAt IS NOT NULL AND r.finishedAt < $before AND NOT r.id IN $keep RETURN count(r) AS runs
}
CALL () {
  MATCH (d:WebhookDelivery) WHERE d.at < $before RETURN count(d) AS deliveries
}
RETURN transfers, transfersHeld, batches, runs, deliveries
