// Accounts that a run's served version (a recompute's, or a held one approved) listed at a data time
// since $since and that the served version $served no longer lists: dropped by a later run. Only run
// versions, and only their run-made entries: overrides and the watch publish many more versions, and
// a manual include or a provisional successor in a run's list is a human's or the watch's entry,
// followed by its own override or link. A pin or rollback of an older version up to the served one
// turned the operator away from the versions between the restored one and itself: those are never
// counted, also after later publications (an override under the pin, the next run). The watch keeps
// these accounts as predecessors, unlisted, and runs let them fall at their listing (docs/decisions.md,
// "The watch keeps accounts a run dropped from the list", "Runs give a dropped account the listed fall").
// Params: $served: int, $since: int (data time, ms), $provisional (the provisional reason). Returns:
// id, score (its last listed score), lastListedAt, droppedAt (the data time of the first of those run
// versions after its last listing — the one that dropped it; null when none is stored).
MATCH (p:BlacklistVersion)
WHERE p.source IN ['pin', 'rollback'] AND p.restores IS NOT NULL AND p.version <= $served
WITH collect([p.restores, p.version]) AS away
MATCH (v:BlacklistVersion)
WHERE v.servedAt IS NOT NULL AND v.version <= $served AND v.source IN ['recompute', 'approve']
  AND none(x IN away WHERE x[0] < v.version AND v.version < x[1])
OPTIONAL MATCH (r:Run {id: v.runId})
WITH v.version AS version, coalesce(r.asOf, v.generatedAt) AS at
WHERE at >= $since
ORDER BY version
// Only the versions within the lag: the list is carried on every row below (a few dozen nightly runs).
WITH collect({version: version, at: at}) AS runs
UNWIND runs AS rv
WITH runs, rv
WHERE rv.version < $served
MATCH (e:BlacklistEntry {version: rv.version})
WHERE e.reasons[0] <> 'MANUAL_INCLUDE' AND NOT $provisional IN e.reasons
  AND NOT EXISTS { MATCH (:BlacklistEntry {version: $served, accountId: e.accountId}) }
WITH runs, e.accountId AS id, rv.at AS at, rv.version AS version, e.score AS score
ORDER BY at, version
WITH runs, id, last(collect(score)) AS score, max(at) AS lastListedAt, max(version) AS lastVersion
RETURN id, score, lastListedAt, [x IN runs WHERE x.version > lastVersion | x.at][0] AS droppedAt
ORDER BY id
