// MIGRATED_TO links of a run with filters, strongest first, paged by a (score, from, to) cursor
// (ids compared apart: a concatenation "from>to" was ambiguous for ids holding '>').
// Params: $runId, $minScore: float, $since: int|null, $until: int|null, $clusterId (null: any),
//         $afterScore: float|null, $afterFrom, $afterTo: string, $limit: int.
// Returns: from, to, score, fallAt, riseAt, evidence, runId, fromCluster, toCluster.
MATCH (a:Account)-[m:MIGRATED_TO {runId: $runId}]->(b:Account)
WHERE m.score >= $minScore
  AND ($since IS NULL OR m.riseAt >= $since OR m.fallAt >= $since)
  AND ($until IS NULL OR m.fallAt <= $until OR m.riseAt <= $until)
  AND ($afterScore IS NULL OR m.score < $afterScore
       OR (m.score = $afterScore AND (a.id > $afterFrom OR (a.id = $afterFrom AND b.id > $afterTo))))
OPTIONAL MATCH (ra:AccountResult {runId: $runId, accountId: a.id})
OPTIONAL MATCH (rb:AccountResult {runId: $runId, accountId: b.id})
WITH a, b, m, ra.clusterId AS fromCluster, rb.clusterId AS toCluster
WHERE $clusterId IS NULL OR fromCluster = $clusterId OR toCluster = $clusterId
RETURN a.id AS from, b.id AS to, m.score AS score, m.fallAt AS fallAt, m.riseAt AS riseAt, m.evidence AS evidence, m.runId AS runId,
       fromCluster, toCluster
ORDER BY m.score DESC, a.id, b.id
LIMIT $limit
