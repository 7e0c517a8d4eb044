// One batch of MIGRATED_TO links of a run.
// Params: $runId, $rows [{from, to, score, fallAt: int, riseAt: int, evidence (JSON)}]. Returns: nothing.
UNWIND $rows AS row
MATCH (a:Account {id: row.from})
MATCH (b:Account {id: row.to})
CREATE (a)-[:MIGRATED_TO {runId: $runId, score: row.score, fallAt: row.fallAt, riseAt: row.riseAt, evidence: row.evidence}]->(b)
