// An account's entry in a version, if listed.
// Params: $version: int, $accountId. Returns: accountId, clusterId, score, reasons.
MATCH (e:BlacklistEntry {version: $version, accountId: $accountId})
RETURN e.accountId AS accountId, e.clusterId AS clusterId, e.score AS score, e.reasons AS reasons
