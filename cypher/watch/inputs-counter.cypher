// The successor watch's input change counter (0 before any change).
// Params: none. Returns: value.
OPTIONAL MATCH (s:Sequence {name: 'watch-inputs'})
RETURN coalesce(s.value, 0) AS value
