// Replaces a webhook's secret; the old one stays valid (deliveries carry both signatures) until
// $previousExpiresAt.
// Params: $id, $secret, $previousExpiresAt: int. Returns: webhook (map).
MATCH (w:Webhook {id: $id})
SET w.previousSecret = w.secret, w.previousSecretExpiresAt = $previousExpiresAt, w.secret = $secret
RETURN properties(w) AS webhook
