// Serves a ready (or held) version: the previously served one becomes 'superseded'.
// Params: $version: int, $at: int, $pin: bool. Returns: servedVersion, previous.
MATCH (v:BlacklistVersion {version: $version})
MERGE (s:BlacklistState {id: 'current'})
WITH v, s, s.servedVersion AS previous
OPTIONAL MATCH (old:BlacklistVersion {version: previous})
FOREACH (_ IN CASE WHEN old IS NOT NULL AND old.version <> v.version THEN [1] ELSE [] END | SET old.status = 'superseded')
SET v.status = 'served', v.servedAt = $at, s.servedVersion = v.version, s.servedAt = $at,
    s.pinnedVersion = CASE WHEN $pin THEN v.version ELSE s.pinnedVersion END
RETURN s.servedVersion AS servedVersion, previous
