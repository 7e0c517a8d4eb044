// Deletes one blacklist version with its entries and body chunks.
// Params: $version: int. Returns: nothing.
MATCH (v:BlacklistVersion {version: $version})
OPTIONAL MATCH (e:BlacklistEntry {version: $version})
OPTIONAL MATCH (c:BlacklistChunk {version: $version})
WITH v, collect(DISTINCT e) + collect(DISTINCT c) AS parts
FOREACH (p IN parts | DELETE p)
DELETE v
