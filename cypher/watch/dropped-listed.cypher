// Accounts that a run's served version (a recompute's, or a held one approved) listed at a data time
// since $since and that the served version $served no longer lists: dropped by a later run. Only run
// versions, and only their run-made entries: overrides and the watch publish many more versions, and
// a manual include or a provisional successor in a run's list is a human's or the watch's entry,
// followed by its own override or link. When the served version is a pin or rollback of an older
// one, the versions after that one are what the operator turned away from: not counted. The watch
// keeps these accounts as predecessors, unlisted (docs/decisions.md, "The watch keeps accounts a run
// dropped from the list").
// Params: $served: int, $since: int (data time, ms), $provisional (the provisional reason). Returns:
// id, score (its last listed score), lastListedAt.
MATCH (s:BlacklistVersion {version: $served})
WITH CASE WHEN s.source IN ['pin', 'rollback'] AND s.restores IS NOT NULL THEN s.restores + 1 ELSE $served END AS upto
MATCH (v:BlacklistVersion)
WHERE v.servedAt IS NOT NULL AND v.version < upto AND v.source IN ['recompute', 'approve']
OPTIONAL MATCH (r:Run {id: v.runId})
WITH v, coalesce(r.asOf, v.generatedAt) AS at
WHERE at >= $since
MATCH (e:BlacklistEntry {version: v.version})
WHERE e.reasons[0] <> 'MANUAL_INCLUDE' AND NOT $provisional IN e.reasons
  AND NOT EXISTS { MATCH (:BlacklistEntry {version: $served, accountId: e.accountId}) }
WITH e.accountId AS id, at, v.version AS version, e.score AS score
ORDER BY at, version
WITH id, last(collect(score)) AS score, max(at) AS lastListedAt
RETURN id, score, lastListedAt
ORDER BY id
