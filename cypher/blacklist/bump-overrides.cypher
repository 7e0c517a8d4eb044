// Counts override changes, so a run that read the overrides before a change republishes after it.
// Params: none. Returns: value.
MERGE (s:Sequence {name: 'overrides'})
  ON CREATE SET s.value = 0
SET s.value = s.value + 1
RETURN s.value AS value
