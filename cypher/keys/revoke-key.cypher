// Revokes a key (kept for the audit trail).
// Params: $id, $at: int, $by. Returns: key (map) — no row if there is no such key.
MATCH (k:ApiKey {id: $id})
SET k.revokedAt = coalesce(k.revokedAt, $at), k.revokedBy = coalesce(k.revokedBy, $by)
RETURN k {.id, .name, .role, .prefix, .createdAt, .createdBy, .revokedAt, .revokedBy, .expiresAt} AS key
