// Accounts that a run's served version (a recompute's, or a held one approved) listed at a data time
// since $since and that the served version $served no longer lists: dropped by a later run. Only run
// versions: overrides and the watch publish many more, each differing from its run's list only by
// them. The watch keeps these accounts as predecessors, unlisted (docs/decisions.md, "The watch keeps
// accounts a run dropped from the list").
// Params: $served: int, $since: int (data time, ms). Returns: id, score (its last listed score), lastListedAt.
MATCH (v:BlacklistVersion)
WHERE v.servedAt IS NOT NULL AND v.version < $served AND v.source IN ['recompute', 'approve']
OPTIONAL MATCH (r:Run {id: v.runId})
WITH v, coalesce(r.asOf, v.generatedAt) AS at
WHERE at >= $since
MATCH (e:BlacklistEntry {version: v.version})
WHERE NOT EXISTS { MATCH (:BlacklistEntry {version: $served, accountId: e.accountId}) }
WITH e.accountId AS id, at, e.score AS score
ORDER BY at
WITH id, last(collect(score)) AS score, max(at) AS lastListedAt
RETURN id, score, lastListedAt
ORDER BY id
