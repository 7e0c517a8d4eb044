// One successor by its pair.
// Params: $key. Returns: successor (properties).
MATCH (s:Successor {key: $key})
RETURN properties(s) AS successor
