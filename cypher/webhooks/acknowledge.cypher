// The receiver answered 2xx to a delivery from $from up to $version. Only a delivery built on the
// acknowledged version moves it, and only up: a late answer to an older delivery, or one in flight
// while an operator redelivered from an earlier version (set-acked), changes nothing.
// Params: $id, $from: int|null, $version: int, $at: int. Returns: ackedVersion — no row if there is no such webhook.
MATCH (w:Webhook {id: $id})
WITH w, ((w.ackedVersion IS NULL AND $from IS NULL) OR w.ackedVersion = $from) AS current
SET w.ackedVersion = CASE WHEN current AND (w.ackedVersion IS NULL OR w.ackedVersion < $version) THEN $version ELSE w.ackedVersion END,
    w.ackedAt = CASE WHEN current THEN $at ELSE w.ackedAt END,
    // The redelivery an operator asked for is done once a delivery built on its version is acknowledged.
    w.redeliveryPending = CASE WHEN current THEN false ELSE w.redeliveryPending END
RETURN w.ackedVersion AS ackedVersion
