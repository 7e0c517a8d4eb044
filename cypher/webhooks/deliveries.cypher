// A webhook's delivery log, newest first.
// Params: $webhookId, $limit: int. Returns: delivery (map).
MATCH (d:WebhookDelivery {webhookId: $webhookId})
RETURN properties(d) AS delivery
ORDER BY d.at DESC, d.id DESC
LIMIT $limit
