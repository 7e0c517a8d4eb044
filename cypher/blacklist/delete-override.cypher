// Removes an account's override.
// Params: $accountId. Returns: accountId, action, reason (of the removed override; no row if none).
MATCH (o:Override {accountId: $accountId})
WITH o, o.accountId AS accountId, o.action AS action, o.reason AS reason
DELETE o
RETURN accountId, action, reason
