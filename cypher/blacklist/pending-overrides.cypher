// Override requests, newest first: the open ones ($status 'pending') or any status ($status null).
// Params: $status (or null), $limit: int. Returns: p (properties).
MATCH (p:PendingOverride)
WHERE $status IS NULL OR p.status = $status
RETURN properties(p) AS p
ORDER BY p.requestedAt DESC, p.id DESC
LIMIT $limit
