// Appends an audit entry: who did what to what, when.
// Params: $id, $at: int, $actorKeyId, $actorName, $actorRole, $action, $target, $details (JSON), $requestId (acctnet's),
//         $clientRequestId (the x-request-id the client sent, or null).
// Returns: entry (map).
CREATE (a:AuditEntry {id: $id, at: $at, actorKeyId: $actorKeyId, actorName: $actorName, actorRole: $actorRole,
                      action: $action, target: $target, details: $details, requestId: $requestId,
                      clientRequestId: $clientRequestId})
RETURN properties(a) AS entry
