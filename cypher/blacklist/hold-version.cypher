// Holds a version for an admin's approval (publish guard, or a pinned list).
// Params: $version: int, $guard (JSON). Returns: nothing.
MATCH (v:BlacklistVersion {version: $version})
SET v.status = 'held', v.guard = $guard
