// One account's override, if any.
// Params: $accountId. Returns: accountId, action, reason, createdBy, createdAt, confirmedBy (no row if none).
MATCH (o:Override {accountId: $accountId})
RETURN o.accountId AS accountId, o.action AS action, o.reason AS reason, o.createdBy AS createdBy, o.createdAt AS createdAt,
       o.confirmedBy AS confirmedBy
