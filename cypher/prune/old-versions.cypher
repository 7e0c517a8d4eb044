// Versions to delete: all but the newest $keepCount, never the served or the pinned one.
// Params: $keepCount: int, $served: int|null, $pinned: int|null. Returns: version.
MATCH (v:BlacklistVersion)
WITH v ORDER BY v.version DESC
WITH collect(v.version) AS versions
UNWIND versions[$keepCount..] AS version
WITH version WHERE ($served IS NULL OR version <> $served) AND ($pinned IS NULL OR version <> $pinned)
RETURN version
