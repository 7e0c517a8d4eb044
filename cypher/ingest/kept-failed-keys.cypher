// Which of these failed-job keys are already kept in Neo4j.
// Params: $keys [key]. Returns: key.
UNWIND $keys AS key
MATCH (f:FailedIngestJob {key: key})
RETURN f.key AS key
