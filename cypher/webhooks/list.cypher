// Every webhook.
// Params: none. Returns: webhook (map).
MATCH (w:Webhook)
RETURN properties(w) AS webhook
ORDER BY w.createdAt, w.id
