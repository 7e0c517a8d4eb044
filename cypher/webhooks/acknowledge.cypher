// The receiver answered 2xx to a delivery up to $version: its acknowledged version only goes up
// (a late answer to an older delivery never moves it back).
// Params: $id, $version: int, $at: int. Returns: ackedVersion — no row if there is no such webhook.
MATCH (w:Webhook {id: $id})
SET w.ackedVersion = CASE WHEN w.ackedVersion IS NULL OR w.ackedVersion < $version THEN $version ELSE w.ackedVersion END,
    w.ackedAt = $at
RETURN w.ackedVersion AS ackedVersion
