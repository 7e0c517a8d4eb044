// Audit entries, newest first, optionally only one actor's, paged by (at, id).
// Params: $actorKeyId (null: everyone), $beforeAt: int, $beforeId, $limit: int. Returns: entry (map).
MATCH (a:AuditEntry)
WHERE ($actorKeyId IS NULL OR a.actorKeyId = $actorKeyId)
  AND (a.at < $beforeAt OR (a.at = $beforeAt AND a.id < $beforeId))
RETURN properties(a) AS entry
ORDER BY a.at DESC, a.id DESC
LIMIT $limit
