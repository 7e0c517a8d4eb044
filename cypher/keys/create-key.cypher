// Stores a new API key: only its SHA-256 and a short prefix to recognise it by.
// Params: $id, $name, $role, $hash, $prefix, $createdAt: int, $createdBy, $expiresAt: int or null. Returns: key (map).
CREATE (k:ApiKey {id: $id, name: $name, role: $role, hash: $hash, prefix: $prefix, createdAt: $createdAt, createdBy: $createdBy,
                  expiresAt: $expiresAt})
RETURN properties(k) AS key
