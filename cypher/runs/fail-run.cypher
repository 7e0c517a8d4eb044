// Marks a run failed; nothing it wrote is served (the AnalysisState pointer did not move).
// Params: $id, $error, $finishedAt: int, $timings (JSON). Returns: nothing.
MATCH (r:Run {id: $id})
SET r.status = 'failed', r.error = $error, r.finishedAt = $finishedAt, r.timings = coalesce($timings, r.timings)
