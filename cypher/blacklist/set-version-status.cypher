// Sets a version's status (e.g. 'unpublished' when its run was superseded).
// Params: $version: int, $status. Returns: nothing.
MATCH (v:BlacklistVersion {version: $version})
SET v.status = $status
