// Records on a run what retention deleted after it (and the warnings that go with it).
// Params: $id, $retention (JSON), $warnings (JSON). Returns: nothing.
MATCH (r:Run {id: $id})
SET r.retention = $retention, r.warnings = $warnings
