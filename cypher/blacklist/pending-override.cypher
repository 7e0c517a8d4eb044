// One override request by id, or the open one of an account.
// Params: $id (or null), $accountId (or null). Returns: p (properties), or no row.
MATCH (p:PendingOverride)
WHERE ($id IS NOT NULL AND p.id = $id) OR ($id IS NULL AND p.openAccountId = $accountId)
RETURN properties(p) AS p
LIMIT 1
