// Records (or refreshes) a provisional successor found at ingest. A pair that was rejected,
// expired or confirmed keeps its state: the watch never raises it again.
// Params: $key, $from, $to, $score: float, $listScore: float, $fallAt: int, $riseAt: int,
//         $evidence (JSON), $depth: int, $now: int.
// Returns: status, listed, decision, created (boolean), breakerHeld (boolean: held by the circuit
//          breaker, it waits for an investigator).
// created: the pair had no node before this statement (not "detectedAt = $now": two workers
// recording one pair in the same millisecond would both read true).
OPTIONAL MATCH (before:Successor {key: $key})
WITH before IS NULL AS created
MERGE (s:Successor {key: $key})
ON CREATE SET s.from = $from, s.to = $to, s.status = 'provisional', s.listed = false, s.detectedAt = $now
WITH s, created
CALL (s) {
  WITH s WHERE s.status = 'provisional'
  SET s.score = $score, s.listScore = $listScore, s.fallAt = $fallAt, s.riseAt = $riseAt,
      s.evidence = $evidence, s.depth = $depth, s.updatedAt = $now
}
RETURN s.status AS status, s.listed AS listed, s.decision AS decision, created,
       coalesce(s.heldBecause STARTS WITH 'circuit breaker', false) AS breakerHeld
