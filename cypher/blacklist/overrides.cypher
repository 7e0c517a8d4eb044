// Investigator overrides in force (they survive every recompute).
// Params: none. Returns: accountId, action, reason, createdBy, createdAt.
MATCH (o:Override)
RETURN o.accountId AS accountId, o.action AS action, o.reason AS reason, o.createdBy AS createdBy, o.createdAt AS createdAt
ORDER BY o.accountId
