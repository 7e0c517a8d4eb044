// Starts writing an immutable blacklist version (status 'writing' until finish-version).
// Params: $version: int, $runId, $source ('recompute'|'override'|'watch'|'approve'|'pin'|'rollback'),
//         $createdAt: int, $generatedAt: int, $count: int, $basedOn: int|null (the served version it
//         was diffed against), $restores: int|null (approve, pin, rollback: the version whose list
//         it serves again, with the overrides in force). Returns: nothing.
CREATE (v:BlacklistVersion {version: $version, runId: $runId, source: $source, status: 'writing', createdAt: $createdAt,
                            generatedAt: $generatedAt, count: $count, basedOn: $basedOn, restores: $restores})
