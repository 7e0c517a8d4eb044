// MIGRATED_TO links of a run touching any of the given accounts.
// Params: $runId, $ids [string]. Returns: from, to, score, fallAt, riseAt, evidence, runId.
MATCH (a:Account)-[m:MIGRATED_TO {runId: $runId}]->(b:Account)
WHERE a.id IN $ids OR b.id IN $ids
RETURN a.id AS from, b.id AS to, m.score AS score, m.fallAt AS fallAt, m.riseAt AS riseAt, m.evidence AS evidence, m.runId AS runId
ORDER BY m.score DESC, a.id, b.id
