// Deletes webhook delivery records older than a time.
// Params: $before: int. Returns: deleted.
MATCH (d:WebhookDelivery)
WHERE d.at < $before
CALL (d) { DELETE d } IN TRANSACTIONS OF 10000 ROWS
RETURN count(*) AS deleted
