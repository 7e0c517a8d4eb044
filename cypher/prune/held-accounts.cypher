// Accounts under legal hold: their transfers are never pruned. Labelled accounts, accounts with an
// override, and accounts listed in the served blacklist version.
// Params: $served: int|null. Returns: accountId.
CALL () {
  MATCH (l:Label) RETURN DISTINCT l.accountId AS accountId
  UNION
  MATCH (o:Override) RETURN DISTINCT o.accountId AS accountId
  UNION
  MATCH (e:BlacklistEntry) WHERE $served IS NOT NULL AND e.version = $served RETURN DISTINCT e.accountId AS accountId
}
RETURN accountId
