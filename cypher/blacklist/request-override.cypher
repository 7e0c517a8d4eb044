// Stores an override request that waits for a second person's confirmation (dual control).
// Params: $id, $accountId, $action ('exclude'|'delete'), $reason, $requestedBy, $requestedByKey,
//         $requestedAt: int.
// Returns: p (the PendingOverride's properties). Fails on the pending_override_open constraint
// when the account already has an open request.
CREATE (p:PendingOverride {id: $id, accountId: $accountId, openAccountId: $accountId, action: $action, reason: $reason,
                           requestedBy: $requestedBy, requestedByKey: $requestedByKey, requestedAt: $requestedAt,
                           status: 'pending'})
RETURN properties(p) AS p
