// Which version gateways get, and whether it is pinned.
// Params: none. Returns: servedVersion, pinnedVersion, servedAt.
OPTIONAL MATCH (s:BlacklistState {id: 'current'})
RETURN s.servedVersion AS servedVersion, s.pinnedVersion AS pinnedVersion, s.servedAt AS servedAt
