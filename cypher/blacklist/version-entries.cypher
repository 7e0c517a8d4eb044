// All entries of a version, by account id.
// Params: $version: int. Returns: accountId, clusterId, score, reasons.
MATCH (e:BlacklistEntry {version: $version})
RETURN e.accountId AS accountId, e.clusterId AS clusterId, e.score AS score, e.reasons AS reasons
ORDER BY e.accountId
