// Final record of a run that got to the end (succeeded, or superseded by a later run).
// Params: $id, $status, $finishedAt: int, $timings, $counts, $warnings (JSON), $asOf: int, $version: int|null,
//         $model: JSON|null (the learned model card).
// Returns: nothing.
MATCH (r:Run {id: $id})
SET r.status = $status, r.finishedAt = $finishedAt, r.timings = $timings, r.counts = $counts,
    r.warnings = $warnings, r.asOf = $asOf, r.blacklistVersion = $version, r.model = $model, r.step = 'done'
