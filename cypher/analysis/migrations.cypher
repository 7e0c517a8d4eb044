// MIGRATED_TO links of a run, strongest first.
// Params: $runId, $minScore: float, $limit: int. Returns: from, to, score, fallAt, riseAt, evidence (JSON), runId.
MATCH (a:Account)-[m:MIGRATED_TO {runId: $runId}]->(b:Account)
WHERE m.score >= $minScore
RETURN a.id AS from, b.id AS to, m.score AS score, m.fallAt AS fallAt, m.riseAt AS riseAt, m.evidence AS evidence, m.runId AS runId
ORDER BY m.score DESC, a.id, b.id
LIMIT $limit
