// One version's record.
// Params: $version: int. Returns: version (map).
MATCH (v:BlacklistVersion {version: $version})
RETURN properties(v) AS version
