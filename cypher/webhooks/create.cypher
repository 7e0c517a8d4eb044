// Registers a webhook (gateway endpoint that receives signed blacklist diffs). It starts as having
// acknowledged the version served now: the receiver pulls the full list once when it registers.
// Params: $id, $url, $description, $secret, $createdAt: int, $createdBy. Returns: webhook (map).
OPTIONAL MATCH (s:BlacklistState {id: 'current'})
CREATE (w:Webhook {id: $id, url: $url, description: $description, secret: $secret, createdAt: $createdAt, createdBy: $createdBy,
                   ackedVersion: s.servedVersion, paused: false})
RETURN properties(w) AS webhook
