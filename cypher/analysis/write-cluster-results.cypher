// One batch of clusters of a run.
// Params: $runId, $rows [{clusterId, size, type, score, reasons, notes, evidence (JSON), members [string],
//   isNew: bool}]. Returns: nothing.
UNWIND $rows AS row
CREATE (c:ClusterResult)
SET c = row, c.runId = $runId
