// Closes an open override request: confirmed, rejected or withdrawn. Only a pending request changes
// (a second decision finds no row).
// Params: $id, $status ('confirmed'|'rejected'|'withdrawn'), $decidedBy, $decidedByKey, $decidedAt: int, $note (or null).
// Returns: p (properties), or no row when the request is not pending.
MATCH (p:PendingOverride {id: $id})
WHERE p.status = 'pending'
SET p.status = $status, p.decidedBy = $decidedBy, p.decidedByKey = $decidedByKey, p.decidedAt = $decidedAt, p.note = $note
REMOVE p.openAccountId
RETURN properties(p) AS p
