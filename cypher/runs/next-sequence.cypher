// Increments and returns a named counter (run numbers, blacklist versions, cluster ids).
// Params: $name, $by: int. Returns: value (the last number handed out).
MERGE (s:Sequence {name: $name})
  ON CREATE SET s.value = 0
SET s.value = s.value + $by
RETURN s.value AS value
