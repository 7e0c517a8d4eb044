// One webhook.
// Params: $id. Returns: webhook (map).
MATCH (w:Webhook {id: $id})
RETURN properties(w) AS webhook
