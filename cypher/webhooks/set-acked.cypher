// "Redeliver from version N": the next delivery carries the diff from N (null: from the empty list,
// i.e. every entry) to the served version.
// Params: $id, $version: int|null. Returns: webhook (map) — no row if there is no such webhook.
MATCH (w:Webhook {id: $id})
SET w.ackedVersion = $version
RETURN properties(w) AS webhook
