// Counts a change of the successor watch's stored inputs of the list (a provisional successor listed,
// confirmed, rejected or superseded), apart from the override counter: a publication in flight
// republishes them as the watch (held while a version is pinned), not as an override.
// Params: none. Returns: value.
MERGE (s:Sequence {name: 'watch-inputs'})
  ON CREATE SET s.value = 0
SET s.value = s.value + 1
RETURN s.value AS value
