// "Redeliver from version N": the next delivery carries the diff from N (null: from the empty list,
// i.e. every entry) to the served version. Counted: the redelivery's deliveries get ids of their own
// (a receiver that remembers delivery ids does not take it for the delivery it already applied) —
// until the receiver acknowledges it (redeliveryPending, cleared by acknowledge).
// Params: $id, $version: int|null. Returns: webhook (map) — no row if there is no such webhook.
MATCH (w:Webhook {id: $id})
SET w.ackedVersion = $version, w.redeliveries = coalesce(w.redeliveries, 0) + 1, w.redeliveryPending = true
RETURN properties(w) AS webhook
