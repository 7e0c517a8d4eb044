// Every key, newest first, without its hash.
// Params: none. Returns: key (map).
MATCH (k:ApiKey)
RETURN k {.id, .name, .role, .prefix, .createdAt, .createdBy, .revokedAt, .revokedBy, .expiresAt} AS key
ORDER BY k.createdAt DESC, k.id
