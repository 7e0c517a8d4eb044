// Deletes a webhook (its delivery log stays for the audit trail).
// Params: $id. Returns: id, url — no row if there is no such webhook.
MATCH (w:Webhook {id: $id})
WITH w, w.id AS id, w.url AS url
DELETE w
RETURN id, url
