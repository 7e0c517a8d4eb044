// The entries of some accounts in a version (listed ones only).
// Params: $version: int, $ids [string]. Returns: accountId, clusterId, score, reasons.
UNWIND $ids AS id
MATCH (e:BlacklistEntry {version: $version, accountId: id})
RETURN e.accountId AS accountId, e.clusterId AS clusterId, e.score AS score, e.reasons AS reasons
