// Investigator overrides in force (they survive every recompute).
// Params: none. Returns: accountId, action, reason, createdBy, createdAt, confirmedBy (null unless dual control).
MATCH (o:Override)
RETURN o.accountId AS accountId, o.action AS action, o.reason AS reason, o.createdBy AS createdBy, o.createdAt AS createdAt,
       o.confirmedBy AS confirmedBy
ORDER BY o.accountId
