// Versions, newest first, paged.
// Params: $before: int, $limit: int. Returns: version (map).
MATCH (v:BlacklistVersion) WHERE v.version < $before
RETURN properties(v) AS version
ORDER BY v.version DESC
LIMIT $limit
