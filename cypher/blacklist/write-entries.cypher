// One batch of a version's entries.
// Params: $version: int, $rows [{accountId, clusterId, score, reasons}]. Returns: nothing.
UNWIND $rows AS row
CREATE (e:BlacklistEntry {version: $version, accountId: row.accountId, clusterId: row.clusterId, score: row.score, reasons: row.reasons})
