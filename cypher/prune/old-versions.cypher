// Versions to delete: all but the newest $keepCount, never the served or the pinned one, never one a
// webhook has not acknowledged past (its acknowledged version is the base of its next diff).
// Params: $keepCount: int, $served: int|null, $pinned: int|null. Returns: version.
OPTIONAL MATCH (w:Webhook)
WITH min(coalesce(w.ackedVersion, 0)) AS oldestAcked, count(w) AS webhooks
MATCH (v:BlacklistVersion)
WITH oldestAcked, webhooks, v ORDER BY v.version DESC
WITH oldestAcked, webhooks, collect(v.version) AS versions
UNWIND versions[$keepCount..] AS version
WITH version, oldestAcked, webhooks
WHERE ($served IS NULL OR version <> $served) AND ($pinned IS NULL OR version <> $pinned)
  AND (webhooks = 0 OR version < oldestAcked)
RETURN version
