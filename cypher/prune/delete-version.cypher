// Deletes one blacklist version with its entries, body chunks and the diffs stored from or to it.
// Params: $version: int. Returns: nothing.
MATCH (v:BlacklistVersion {version: $version})
OPTIONAL MATCH (e:BlacklistEntry {version: $version})
OPTIONAL MATCH (c:BlacklistChunk {version: $version})
OPTIONAL MATCH (d:BlacklistDiff) WHERE d.fromVersion = $version OR d.toVersion = $version
WITH v, collect(DISTINCT e) + collect(DISTINCT c) + collect(DISTINCT d) AS parts
FOREACH (p IN parts | DELETE p)
DELETE v
