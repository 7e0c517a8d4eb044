// Registers a webhook (gateway endpoint that receives signed blacklist diffs).
// Params: $id, $url, $description, $secret, $createdAt: int, $createdBy. Returns: webhook (map).
CREATE (w:Webhook {id: $id, url: $url, description: $description, secret: $secret, createdAt: $createdAt, createdBy: $createdBy})
RETURN properties(w) AS webhook
