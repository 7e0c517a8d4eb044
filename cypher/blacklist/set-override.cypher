// Sets (or replaces) the override of an account.
// Params: $accountId, $action ('include'|'exclude'), $reason, $createdBy, $createdAt: int,
//         $confirmedBy: the second person of a dual-control request, or null.
// Returns: accountId, action, reason, createdBy, createdAt, previousAction.
OPTIONAL MATCH (old:Override {accountId: $accountId})
WITH old.action AS previousAction
MERGE (o:Override {accountId: $accountId})
SET o.action = $action, o.reason = $reason, o.createdBy = $createdBy, o.createdAt = $createdAt, o.confirmedBy = $confirmedBy
RETURN o.accountId AS accountId, o.action AS action, o.reason AS reason, o.createdBy AS createdBy, o.createdAt AS createdAt, previousAction
