// Pins the served version (new versions are then held) or unpins it (pinnedVersion null).
// Params: $version: int|null. Returns: servedVersion, pinnedVersion.
MERGE (s:BlacklistState {id: 'current'})
SET s.pinnedVersion = $version
RETURN s.servedVersion AS servedVersion, s.pinnedVersion AS pinnedVersion
