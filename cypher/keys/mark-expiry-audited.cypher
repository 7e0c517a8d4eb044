// Marks that a key's expiry was audited (the first refused use after it expired), once per key.
// Params: $id, $at: int. Returns: key (map) — no row if it was already marked or there is no such key.
MATCH (k:ApiKey {id: $id})
WHERE k.expiryAuditedAt IS NULL
SET k.expiryAuditedAt = $at
RETURN k {.id, .name, .role, .expiresAt} AS key
