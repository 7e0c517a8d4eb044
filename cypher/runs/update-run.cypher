// Progress of a running run (step name, timings and counts so far, as JSON).
// Params: $id, $step, $timings (JSON), $counts (JSON). Returns: nothing.
MATCH (r:Run {id: $id})
SET r.step = $step, r.timings = $timings, r.counts = $counts
