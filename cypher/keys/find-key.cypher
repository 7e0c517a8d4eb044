// The key with this hash, if any (revoked and expired keys included: the caller rejects them).
// Params: $hash. Returns: id, name, role, revokedAt, expiresAt.
MATCH (k:ApiKey {hash: $hash})
RETURN k.id AS id, k.name AS name, k.role AS role, k.revokedAt AS revokedAt, k.expiresAt AS expiresAt
