// Starts writing an immutable blacklist version (status 'writing' until finish-version).
// Params: $version: int, $runId, $source ('recompute'|'override'), $createdAt: int, $generatedAt: int,
//         $count: int, $basedOn: int|null. Returns: nothing.
CREATE (v:BlacklistVersion {version: $version, runId: $runId, source: $source, status: 'writing', createdAt: $createdAt,
                            generatedAt: $generatedAt, count: $count, basedOn: $basedOn})
