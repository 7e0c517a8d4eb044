// Pauses or resumes deliveries to a webhook (a paused webhook's lag grows; resume sends one diff).
// Params: $id, $paused: bool. Returns: webhook (map) — no row if there is no such webhook.
MATCH (w:Webhook {id: $id})
SET w.paused = $paused
RETURN properties(w) AS webhook
